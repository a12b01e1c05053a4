#!/usr/bin/env python3
"""Parse PowerShell scripts with tree-sitter's PowerShell grammar; no PowerShell runs.

    ps-syntax.py FILE...

Prints each syntax error as FILE:LINE:COLUMN: what, and exits 1 when there is one,
0 when every file parses, 2 on a usage or install problem. The test suite uses it on the
scripts ata2atp prints (collectors, remediation): there is no PowerShell on the test
machine, and a script the customer cannot even parse is the worst failure on site.
"""
import sys

try:
    import tree_sitter
    import tree_sitter_powershell
except ImportError as e:
    print(f"ps-syntax.py: {e} (scripts/test-env.sh install puts it in target/test-env/venv)",
          file=sys.stderr)
    sys.exit(2)


def problems(node, source):
    """The ERROR and missing nodes below node, outermost first (an error's inside is noise)."""
    if node.type == "ERROR" or node.is_missing:
        what = f"missing {node.type}" if node.is_missing else "syntax error"
        text = source[node.start_byte:node.end_byte][:60].decode("utf-8", "replace")
        yield node.start_point, f"{what} at {text!r}"
        return
    for child in node.children:
        yield from problems(child, source)


def main(paths):
    if not paths:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
    failed = False
    for path in paths:
        with open(path, "rb") as f:
            source = f.read()
        for (row, column), what in problems(parser.parse(source).root_node, source):
            print(f"{path}:{row + 1}:{column + 1}: {what}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
