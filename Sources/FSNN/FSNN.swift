// The FSNN target; see ../../README.md.
