//! The rules, one file each, grouped by topic.
//!
//! - `packages`: package managers in RUN (apt, apk, pip, npm, yarn, gem, go, yum, dnf, zypper).
//! - `instructions`: the other hadolint-coded rules (FROM, COPY, ADD, USER, LABEL, ports, …).
//! - `careen`: careen's own `CR` rules: image-guide practices, secrets, build context, `.dockerignore`.

pub mod careen;
pub mod instructions;
pub mod packages;
