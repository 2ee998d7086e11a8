//! BuildKit's shell lexer: ARG/ENV expansion (`$a`, `${a:-b}`, `${a:+b}`, …),
//! quote and escape processing, and word splitting.
