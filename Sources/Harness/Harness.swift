// The Harness target; see ../../README.md.
