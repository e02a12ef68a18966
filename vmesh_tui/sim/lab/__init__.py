"""Lab files (LAB_FORMAT.md): their parsed form, the reader and its checks, and the built-in demo lab."""
