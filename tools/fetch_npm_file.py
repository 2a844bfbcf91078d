"""Fetch one file out of a pinned npm package, for the test tools (`make install`: axe-core's axe.min.js).

    python tools/fetch_npm_file.py URL INTEGRITY MEMBER OUT

Downloads the package tarball at URL (https://registry.npmjs.org/<name>/-/<name>-<version>.tgz), checks
it against INTEGRITY (the registry's `dist.integrity` for that version, `sha512-<base64>`, pinned in
the Makefile), and writes the tarball's MEMBER (e.g. `package/axe.min.js`) to OUT. A tarball that
does not match is refused and nothing is written. Standard library only: it runs before the
virtualenv exists.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path


def main(url: str, integrity: str, member: str, out: str) -> int:
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512" or not expected:
        print(f"fetch: expected a sha512-… integrity (got {integrity!r})", file=sys.stderr)
        return 2
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - a pinned https URL
        data = response.read()
    got = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if got != expected:
        print(f"fetch: {url} does not match its pinned integrity (sha512-{got}); nothing written", file=sys.stderr)
        return 1
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        content = tar.extractfile(member)
        if content is None:
            print(f"fetch: {member} is not a file in {url}", file=sys.stderr)
            return 1
        target = Path(out)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        partial.write_bytes(content.read())
        partial.replace(target)  # whole or not at all: make does not take a half-written file as done
    print(f"fetched {member} of {url} (integrity checked) into {out}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
