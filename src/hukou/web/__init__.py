"""Web pages and rendering (HTML). Nothing here decides anything: it shows what `hukou.policy` holds."""
