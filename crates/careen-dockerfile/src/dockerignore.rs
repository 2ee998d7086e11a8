//! `.dockerignore` reading and matching with BuildKit's semantics.
