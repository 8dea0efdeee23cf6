#!/usr/bin/env bash
# Print the path of a working Python >= 3.13 (PYTHON wins if set), or explain what is missing.
set -euo pipefail
works() { "$1" -c 'import sys; assert sys.version_info >= (3, 13)' >/dev/null 2>&1; }
candidates=("${PYTHON:-}" python3.13 python3)
if command -v pyenv >/dev/null 2>&1; then
  for dir in "$(pyenv root)"/versions/3.1[3-9]*; do candidates+=("$dir/bin/python3"); done
fi
candidates+=(/usr/local/bin/python3.13 /usr/bin/python3.13)
for candidate in "${candidates[@]}"; do
  [ -n "$candidate" ] || continue
  path=$(command -v "$candidate" 2>/dev/null || true)
  if [ -n "$path" ] && works "$path"; then echo "$path"; exit 0; fi
done
echo "Python >= 3.13 not found: install it (pyenv install 3.13) or set PYTHON=/path/to/python3.13" >&2
exit 1
