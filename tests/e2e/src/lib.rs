//! End-to-end tests of the Earshot app live in `tests/`; this library is empty on purpose.
