// The Datasets target; see ../../README.md.
