//! Secret detectors: provider tokens with a known shape (AWS, GitHub, GitLab, Slack, Stripe,
//! Google, npm, PyPI), private-key PEM blocks, JWTs, and `password = "…"`-style assignments
//! whose value looks random (Shannon entropy).
//!
//! The scan is built for speed on whole layers: an ASCII, case-insensitive Aho-Corasick
//! prefilter looks for the literal anchors every rule needs (`AKIA`, `ghp_`, `PRIVATE KEY`,
//! `password`…); only the lines around a hit go through one compiled [`regex::bytes::RegexSet`],
//! and only the rules the set reports are run again for their positions. Text is scanned as
//! bytes, so invalid UTF-8 is fine.
//!
//! A [`SecretMatch`] never holds the secret itself: only its position, its length and a
//! [redacted](redact) preview.

mod paths;

pub use paths::{is_binary, is_binary_name, is_library_path, is_noise_path, SNIFF_BYTES};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use base64::Engine as _;
use regex::bytes::{Regex, RegexSet};
use serde::Serialize;
use std::sync::OnceLock;

use crate::audit::Severity;

/// Files larger than this are not scanned for secrets (see [`ScanOptions`]).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Limits of a secret scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanOptions {
    /// Files larger than this are skipped (default [`DEFAULT_MAX_FILE_BYTES`], 1 MiB).
    pub max_file_bytes: u64,
    /// At most this many matches are kept per file (default 20).
    pub max_matches_per_file: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_matches_per_file: 20,
        }
    }
}

/// A secret detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    AwsAccessKeyId,
    AwsSecretAccessKey,
    GithubToken,
    GitlabToken,
    SlackToken,
    StripeKey,
    GoogleApiKey,
    NpmToken,
    PypiToken,
    PrivateKey,
    Jwt,
    GenericSecret,
}

impl Rule {
    /// Every rule, in code order.
    pub const ALL: [Rule; 12] = [
        Rule::AwsAccessKeyId,
        Rule::AwsSecretAccessKey,
        Rule::GithubToken,
        Rule::GitlabToken,
        Rule::SlackToken,
        Rule::StripeKey,
        Rule::GoogleApiKey,
        Rule::NpmToken,
        Rule::PypiToken,
        Rule::PrivateKey,
        Rule::Jwt,
        Rule::GenericSecret,
    ];

    /// The finding code (`CS1xxx`, see docs/audit.md).
    pub fn code(self) -> &'static str {
        match self {
            Rule::AwsAccessKeyId => "CS1001",
            Rule::AwsSecretAccessKey => "CS1002",
            Rule::GithubToken => "CS1003",
            Rule::GitlabToken => "CS1004",
            Rule::SlackToken => "CS1005",
            Rule::StripeKey => "CS1006",
            Rule::GoogleApiKey => "CS1007",
            Rule::NpmToken => "CS1008",
            Rule::PypiToken => "CS1009",
            Rule::PrivateKey => "CS1010",
            Rule::Jwt => "CS1011",
            Rule::GenericSecret => "CS1012",
        }
    }

    /// A short kebab-case name (`github-token`).
    pub fn name(self) -> &'static str {
        match self {
            Rule::AwsAccessKeyId => "aws-access-key-id",
            Rule::AwsSecretAccessKey => "aws-secret-access-key",
            Rule::GithubToken => "github-token",
            Rule::GitlabToken => "gitlab-token",
            Rule::SlackToken => "slack-token",
            Rule::StripeKey => "stripe-live-key",
            Rule::GoogleApiKey => "google-api-key",
            Rule::NpmToken => "npm-token",
            Rule::PypiToken => "pypi-token",
            Rule::PrivateKey => "private-key",
            Rule::Jwt => "jwt",
            Rule::GenericSecret => "generic-secret",
        }
    }

    /// What the rule found, for messages.
    pub fn title(self) -> &'static str {
        match self {
            Rule::AwsAccessKeyId => "AWS access key ID",
            Rule::AwsSecretAccessKey => "AWS secret access key",
            Rule::GithubToken => "GitHub token",
            Rule::GitlabToken => "GitLab personal access token",
            Rule::SlackToken => "Slack token",
            Rule::StripeKey => "Stripe live secret key",
            Rule::GoogleApiKey => "Google API key",
            Rule::NpmToken => "npm access token",
            Rule::PypiToken => "PyPI API token",
            Rule::PrivateKey => "private key",
            Rule::Jwt => "JSON Web Token",
            Rule::GenericSecret => "secret-looking value assigned to a secret-named key",
        }
    }

    /// How bad a match is: a token of a known shape is an error; a JWT (often short-lived or
    /// a test fixture) and the entropy heuristic are warnings.
    pub fn severity(self) -> Severity {
        match self {
            Rule::Jwt | Rule::GenericSecret => Severity::Warning,
            _ => Severity::Error,
        }
    }

    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.code() == code)
    }
}

/// One secret found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretMatch {
    pub rule: Rule,
    /// 1-based line of the secret's first byte.
    pub line: usize,
    /// Byte range of the secret value in the scanned text (for the private key: its
    /// `-----BEGIN` line).
    pub start: usize,
    pub end: usize,
    /// A preview that never holds the secret: see [`redact`].
    pub redacted: String,
}

/// A preview of `secret` that is safe to print: at most its first 4 characters (2 for
/// secrets under 16 characters, none under 8), an ellipsis and its length —
/// `ghp_…(40 chars)`. Provider prefixes make the first characters say what it is without
/// saying anything about the secret.
pub fn redact(secret: &[u8]) -> String {
    let shown = match secret.len() {
        0..=7 => 0,
        8..=15 => 2,
        _ => 4,
    };
    let head: String = secret
        .iter()
        .take(shown)
        .map(|&b| {
            if b.is_ascii_graphic() {
                char::from(b)
            } else {
                '?'
            }
        })
        .collect();
    format!("{head}…({} chars)", secret.len())
}

/// Shannon entropy of `bytes` in bits per byte (0 for an empty slice).
pub fn shannon_entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// The entropy a value assigned to a secret-named key must reach to be reported by
/// [`Rule::GenericSecret`]: 3.5 bits per character, relaxed to `log2(len) - 0.7` for values
/// shorter than 16 characters (a 10-character value cannot exceed `log2(10)` = 3.32).
/// Dictionary words and repeated characters stay under it; random tokens and typical
/// generated passwords are above.
pub fn generic_entropy_threshold(len: usize) -> f64 {
    if len >= 16 {
        3.5
    } else {
        (len as f64).log2() - 0.7
    }
}

/// Values that are clearly not secrets: placeholders, references to other variables,
/// booleans, paths, code.
pub fn is_placeholder(value: &[u8]) -> bool {
    let lower = value.to_ascii_lowercase();
    let trimmed: &[u8] = {
        let mut v = lower.as_slice();
        while let [b'"' | b'\'' | b'`', rest @ ..] = v {
            v = rest;
        }
        while let [rest @ .., b'"' | b'\'' | b'`'] = v {
            v = rest;
        }
        v
    };
    if trimmed.is_empty() {
        return true;
    }
    const EXACT: &[&[u8]] = &[
        b"true",
        b"false",
        b"yes",
        b"no",
        b"on",
        b"off",
        b"none",
        b"null",
        b"nil",
        b"undefined",
        b"empty",
        b"required",
        b"optional",
        b"string",
        b"str",
        b"bytes",
    ];
    if EXACT.contains(&trimmed) {
        return true;
    }
    const WORDS: &[&[u8]] = &[
        b"changeme",
        b"change_me",
        b"change-me",
        b"changeit",
        b"example",
        b"placeholder",
        b"your",
        b"xxxx",
        b"****",
        b"....",
        b"dummy",
        b"sample",
        b"redacted",
        b"password",
        b"passwd",
        b"secret",
        b"token",
        b"fake",
        b"mock",
        b"test",
        b"todo",
        b"fixme",
        b"insert",
        b"replace",
        b"dev-only",
        b"notasecret",
        b"not-a-secret",
    ];
    if WORDS
        .iter()
        .any(|w| memchr::memmem::find(trimmed, w).is_some())
    {
        return true;
    }
    // References and code: ${VAR}, $VAR, $(cmd), <your-token>, {{ .x }}, %(x)s, f(x), a[b].
    if trimmed.iter().any(|b| b"$<>{}()[]%\\".contains(b)) {
        return true;
    }
    // Paths and URLs without credentials.
    if trimmed.starts_with(b"/") || trimmed.starts_with(b"./") || trimmed.starts_with(b"~/") {
        return true;
    }
    // All one character class that no secret generator produces alone.
    if trimmed.iter().all(u8::is_ascii_digit) {
        return true;
    }
    // Dotted identifiers (`self.api_key`, `os.environ`, `settings.secret_key`).
    if trimmed.contains(&b'.')
        && trimmed
            .iter()
            .all(|b| b.is_ascii_lowercase() || *b == b'_' || *b == b'.')
    {
        return true;
    }
    false
}

/// The detectors, compiled once.
#[derive(Debug)]
pub struct Scanner {
    prefilter: AhoCorasick,
    set: RegexSet,
    /// One regex per entry of `set`, in the same order; group 1 is the secret value.
    rules: Vec<(Rule, Regex)>,
    aws_secret_near: Regex,
}

/// Anchors: every rule needs one of these literally (ASCII case-insensitive) in the text.
const ANCHORS: &[&str] = &[
    "akia",
    "asia",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxa-",
    "xoxb-",
    "xoxp-",
    "xoxr-",
    "xoxs-",
    "sk_live_",
    "rk_live_",
    "aiza",
    "npm_",
    "pypi-ageichlwas5vcmc",
    "private key",
    "eyj",
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "api-key",
    "access_key",
    "accesskey",
    "access-key",
    "auth_key",
    "authkey",
];

/// Key names that make an assignment a candidate for [`Rule::GenericSecret`].
const GENERIC: &str = r#"(?i-u)\b(?:[a-z0-9_.-]{0,40}(?:password|passwd|secret|token|api_?key|api-key|access_?key|access-key|auth_?key)[a-z0-9_.-]{0,20})["']?[ \t]*(?::=|=>|=|:)[ \t]*["']?([^ \t\r\n"'`,;]{8,256})"#;

fn patterns() -> Vec<(Rule, &'static str)> {
    vec![
        (
            Rule::AwsAccessKeyId,
            r"(?-u)\b((?:AKIA|ASIA)[0-9A-Z]{16})\b",
        ),
        (
            Rule::AwsSecretAccessKey,
            r#"(?i-u)(?:aws_?secret_?access_?key|secret_?access_?key|aws_?secret_?key)["']?[ \t]*(?::=|=>|=|:)[ \t]*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        ),
        (
            Rule::GithubToken,
            r"(?-u)\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,255})\b",
        ),
        (Rule::GitlabToken, r"(?-u)\b(glpat-[A-Za-z0-9_-]{20,})"),
        (
            Rule::SlackToken,
            r"(?-u)\b(xox[abprs]-[0-9A-Za-z]{8,}-[0-9A-Za-z-]{8,})",
        ),
        (Rule::StripeKey, r"(?-u)\b((?:sk|rk)_live_[0-9A-Za-z]{24,})"),
        (Rule::GoogleApiKey, r"(?-u)\b(AIza[0-9A-Za-z_-]{35})"),
        (Rule::NpmToken, r"(?-u)\b(npm_[A-Za-z0-9]{36})\b"),
        (
            Rule::PypiToken,
            r"(?-u)\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})",
        ),
        (
            Rule::PrivateKey,
            r"(?-u)(-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----)",
        ),
        (
            Rule::Jwt,
            r"(?-u)\b(eyJ[A-Za-z0-9_-]{8,1024}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})",
        ),
        (Rule::GenericSecret, GENERIC),
    ]
}

/// Longest run of a line handed to the regexes around one prefilter hit (minified files have
/// megabyte-long lines).
const WINDOW: usize = 1024;

impl Scanner {
    /// Compiles the detectors. The patterns are constants; a test compiles them.
    fn new() -> Result<Scanner, regex::Error> {
        let patterns = patterns();
        let set = RegexSet::new(patterns.iter().map(|(_, p)| *p))?;
        let rules = patterns
            .into_iter()
            .map(|(rule, p)| Ok((rule, Regex::new(p)?)))
            .collect::<Result<Vec<_>, regex::Error>>()?;
        let prefilter = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(ANCHORS)
            .map_err(|e| regex::Error::Syntax(e.to_string()))?;
        let aws_secret_near =
            Regex::new(r"(?-u)(?:^|[^A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)")?;
        Ok(Scanner {
            prefilter,
            set,
            rules,
            aws_secret_near,
        })
    }

    /// The shared scanner (compiled on first use).
    pub fn shared() -> &'static Scanner {
        static SCANNER: OnceLock<Scanner> = OnceLock::new();
        SCANNER.get_or_init(|| {
            // The patterns are string constants covered by a unit test; they cannot fail
            // to compile at run time.
            Scanner::new().expect("built-in secret patterns compile")
        })
    }

    /// Does `text` contain any anchor at all? (The cheap first step of [`Scanner::scan`].)
    pub fn may_contain_secret(&self, text: &[u8]) -> bool {
        self.prefilter.is_match(text)
    }

    /// All secrets in `text`, in order, at most `limit` of them.
    pub fn scan_limited(&self, text: &[u8], limit: usize) -> Vec<SecretMatch> {
        self.scan_with(text, limit, true)
    }

    /// Like [`Scanner::scan_limited`]; `generic: false` leaves out [`Rule::GenericSecret`]
    /// (for library code, see [`is_library_path`]).
    pub fn scan_with(&self, text: &[u8], limit: usize, generic: bool) -> Vec<SecretMatch> {
        let mut found: Vec<SecretMatch> = Vec::new();
        let mut done_until = 0usize;
        for hit in self.prefilter.find_iter(text) {
            if hit.start() < done_until {
                continue;
            }
            let line_start = memchr::memrchr(b'\n', &text[..hit.start()]).map_or(0, |i| i + 1);
            let line_end =
                memchr::memchr(b'\n', &text[hit.start()..]).map_or(text.len(), |i| hit.start() + i);
            let start = line_start
                .max(hit.start().saturating_sub(WINDOW))
                .max(done_until);
            let end = line_end.min(hit.end().saturating_add(WINDOW));
            done_until = end;
            let window = &text[start..end];
            let matched = self.set.matches(window);
            for index in matched.iter() {
                let Some((rule, regex)) = self.rules.get(index) else {
                    continue;
                };
                if *rule == Rule::GenericSecret && !generic {
                    continue;
                }
                for caps in regex.captures_iter(window) {
                    let Some(value) = caps.get(1) else { continue };
                    let (value_start, value_end) = (start + value.start(), start + value.end());
                    if !accept(*rule, text, value_start, value_end) {
                        continue;
                    }
                    found.push(SecretMatch {
                        rule: *rule,
                        line: 0,
                        start: value_start,
                        end: value_end,
                        redacted: redact(&text[value_start..value_end]),
                    });
                }
            }
        }
        found.sort_by_key(|m| (m.start, m.rule));
        found.dedup_by_key(|m| (m.start, m.end, m.rule));
        // A token of a known shape wins over the generic rule for the same bytes.
        let specific: Vec<(usize, usize)> = found
            .iter()
            .filter(|m| m.rule != Rule::GenericSecret)
            .map(|m| (m.start, m.end))
            .collect();
        found.retain(|m| {
            m.rule != Rule::GenericSecret
                || !specific.iter().any(|&(s, e)| s < m.end && m.start < e)
        });
        number_lines(text, &mut found);
        self.add_nearby_aws_secrets(text, &mut found);
        found.truncate(limit);
        found
    }

    /// All secrets in `text`, in order.
    pub fn scan(&self, text: &[u8]) -> Vec<SecretMatch> {
        self.scan_limited(text, usize::MAX)
    }

    /// The "secret key near the key ID" form: a 40-character base64 token within 3 lines of
    /// an AWS access key ID.
    fn add_nearby_aws_secrets(&self, text: &[u8], found: &mut Vec<SecretMatch>) {
        let ids: Vec<(usize, usize)> = found
            .iter()
            .filter(|m| m.rule == Rule::AwsAccessKeyId)
            .map(|m| (m.start, m.line))
            .collect();
        for (id_start, id_line) in ids {
            let (from, from_line) = back_lines(text, id_start, 3, id_line);
            let to = forward_lines(text, id_start, 4);
            let region = &text[from..to];
            for caps in self.aws_secret_near.captures_iter(region) {
                let Some(value) = caps.get(1) else { continue };
                let (s, e) = (from + value.start(), from + value.end());
                let bytes = &text[s..e];
                if shannon_entropy(bytes) < 4.0 || !has_two_classes(bytes) {
                    continue;
                }
                if found.iter().any(|m| m.start < e && s < m.end) {
                    continue;
                }
                let line = from_line + memchr::memchr_iter(b'\n', &text[from..s]).count();
                found.push(SecretMatch {
                    rule: Rule::AwsSecretAccessKey,
                    line,
                    start: s,
                    end: e,
                    redacted: redact(bytes),
                });
            }
        }
        found.sort_by_key(|m| (m.start, m.rule));
    }

    /// `text` with every secret found in it replaced by its redacted preview (for history
    /// `created_by` strings and other text careen prints).
    pub fn redact_text(&self, text: &str) -> String {
        let matches = self.scan(text.as_bytes());
        redact_ranges(text, &matches)
    }
}

/// Per-rule checks the regexes cannot express.
fn accept(rule: Rule, text: &[u8], start: usize, end: usize) -> bool {
    let value = &text[start..end];
    match rule {
        Rule::PrivateKey => private_key_has_body(&text[end..]),
        Rule::Jwt => jwt_header_has_alg(value),
        Rule::AwsSecretAccessKey => shannon_entropy(value) >= 3.5,
        Rule::GenericSecret => {
            !is_placeholder(value)
                && shannon_entropy(value) >= generic_entropy_threshold(value.len())
                && looks_generated(value)
        }
        // `AKIAIOSFODNN7EXAMPLE` and friends: AWS documentation keys.
        Rule::AwsAccessKeyId => !value.ends_with(b"EXAMPLE"),
        _ => true,
    }
}

/// Sets `line` of matches sorted by `start`, in one pass over the text.
fn number_lines(text: &[u8], found: &mut [SecretMatch]) {
    let mut line = 1usize;
    let mut at = 0usize;
    for m in found.iter_mut() {
        if m.start > at {
            line += memchr::memchr_iter(b'\n', &text[at..m.start]).count();
            at = m.start;
        }
        m.line = line;
    }
}

/// `text` with the byte ranges of `matches` replaced by their previews.
pub fn redact_ranges(text: &str, matches: &[SecretMatch]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    let mut sorted: Vec<&SecretMatch> = matches.iter().collect();
    sorted.sort_by_key(|m| m.start);
    for m in sorted {
        if m.start < at || m.end > text.len() {
            continue;
        }
        let (Some(before), Some(_)) = (text.get(at..m.start), text.get(m.start..m.end)) else {
            continue;
        };
        out.push_str(before);
        out.push_str(&m.redacted);
        at = m.end;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

/// Generated secrets mix letters and digits; words, identifiers and `kebab-case` names
/// (`quoted-string`, `WhitespaceTerminal`) do not. Long mixed-case values with high entropy
/// (base64 without digits) count too.
fn looks_generated(value: &[u8]) -> bool {
    let letter = value.iter().any(u8::is_ascii_alphabetic);
    let digit = value.iter().any(u8::is_ascii_digit);
    let mixed_case =
        value.iter().any(u8::is_ascii_lowercase) && value.iter().any(u8::is_ascii_uppercase);
    (letter && digit) || (value.len() >= 20 && mixed_case && shannon_entropy(value) >= 4.0)
}

fn has_two_classes(value: &[u8]) -> bool {
    let lower = value.iter().any(u8::is_ascii_lowercase);
    let upper = value.iter().any(u8::is_ascii_uppercase);
    let digit = value.iter().any(u8::is_ascii_digit);
    let other = value.iter().any(|b| !b.is_ascii_alphanumeric());
    [lower, upper, digit, other]
        .into_iter()
        .filter(|&x| x)
        .count()
        >= 2
}

/// Start of the line `n` lines above the one holding `at`, and its line number.
fn back_lines(text: &[u8], at: usize, n: usize, line_of_at: usize) -> (usize, usize) {
    let mut start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1);
    let mut line = line_of_at;
    for _ in 0..n {
        if start == 0 {
            break;
        }
        start = memchr::memrchr(b'\n', &text[..start - 1]).map_or(0, |i| i + 1);
        line -= 1;
    }
    (start, line)
}

/// End of the line `n - 1` lines below the one holding `at`.
fn forward_lines(text: &[u8], at: usize, n: usize) -> usize {
    let mut end = at;
    for _ in 0..n {
        match memchr::memchr(b'\n', &text[end..]) {
            Some(i) => end = end + i + 1,
            None => return text.len(),
        }
    }
    end
}

/// A PEM header counts only when base64 follows it (a line of 40+ base64 characters, or
/// `Proc-Type:` headers of an encrypted key): code that merely names the header
/// (`"-----BEGIN RSA PRIVATE KEY-----"` in a TLS library) does not.
fn private_key_has_body(after: &[u8]) -> bool {
    let after = &after[..after.len().min(512)];
    let mut lines = after.split(|&b| b == b'\n').skip(1);
    for line in lines.by_ref().take(4) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // Keys quoted in code (`"...\n"` strings) carry the body on the same source line.
        let line = line.trim_ascii();
        if line.starts_with(b"Proc-Type:") || line.starts_with(b"DEK-Info:") || line.is_empty() {
            continue;
        }
        return line.len() >= 40
            && line
                .iter()
                .take(64)
                .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/' || *b == b'=');
    }
    // `-----BEGIN … KEY-----\nMIIE…` written with literal `\n` escapes on one line.
    let first = after.split(|&b| b == b'\n').next().unwrap_or_default();
    if let Some(rest) = first.strip_prefix(b"\\n") {
        let body: Vec<u8> = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'+' || **b == b'/')
            .copied()
            .collect();
        return body.len() >= 40;
    }
    false
}

/// A JWT's first part must decode to a JSON object with an `alg` member.
fn jwt_header_has_alg(token: &[u8]) -> bool {
    let Some(header) = token.split(|&b| b == b'.').next() else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header) else {
        return false;
    };
    match serde_json::from_slice::<serde_json::Value>(&decoded) {
        Ok(serde_json::Value::Object(map)) => map.contains_key("alg"),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
