"""Storage and engines: the columnar rule engine (Ibis over DuckDB), and later the databases."""
