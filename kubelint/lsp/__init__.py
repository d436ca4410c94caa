"""The language server, `kubelint lsp`.

`document` lints one open document's text (config found from its path, as the CLI finds it),
`actions` computes hovers, fixes and suppression edits from a lint, and `server` wires both to
pygls. Only `server` imports pygls; the other two are plain functions over kubelint's types and
LSP-shaped dicts.
"""
