"""Copy the console's front-end packages from node_modules into static/vendor at set-up.

`python -m daifa.web.assets NODE_MODULES DEST`. Run by `make setup` after `npm ci`; the files
are served from the package at run time, never from a CDN.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

FILES = {
    "htmx.org/dist/htmx.min.js": "htmx.min.js",
    # The CSP build: it reads x-data, @click ... expressions with its own parser instead of
    # `new Function`, so the console's Content-Security-Policy needs no 'unsafe-eval'.
    "@alpinejs/csp/dist/cdn.min.js": "alpine-csp.min.js",
    "@picocss/pico/css/pico.min.css": "pico.min.css",
}


def copy_assets(node_modules: Path, dest: Path) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    copied = []
    for source, name in FILES.items():
        path = node_modules / source
        if not path.exists():
            raise SystemExit(f"missing {path}: run `npm ci` first")
        copied.append(Path(shutil.copyfile(path, dest / name)))
    return copied


if __name__ == "__main__":
    for copied_path in copy_assets(Path(sys.argv[1]), Path(sys.argv[2])):
        print(f"  {copied_path}")
