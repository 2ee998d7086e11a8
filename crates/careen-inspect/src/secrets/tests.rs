//! Unit tests of the detectors. Test secrets are assembled at run time from a prefix and a
//! pseudo-random body so no real-looking token sits in the source.

use super::*;

/// A deterministic pseudo-random string of `len` characters from `alphabet`.
pub(crate) fn random(seed: u64, len: usize, alphabet: &[u8]) -> String {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let i = (state >> 33) as usize % alphabet.len();
            char::from(alphabet[i])
        })
        .collect()
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn rules(text: &str) -> Vec<Rule> {
    Scanner::shared()
        .scan(text.as_bytes())
        .into_iter()
        .map(|m| m.rule)
        .collect()
}

#[test]
fn patterns_compile() {
    assert!(Scanner::new().is_ok());
    assert_eq!(patterns().len(), Rule::ALL.len());
    for (rule, _) in patterns() {
        assert_eq!(Rule::from_code(rule.code()), Some(rule));
    }
}

#[test]
fn provider_tokens() {
    let aws = format!("AKIA{}", random(1, 16, UPPER_DIGITS));
    let cases: Vec<(String, Rule)> = vec![
        (format!("key = {aws}"), Rule::AwsAccessKeyId),
        (
            format!("export GH=ghp_{}", random(2, 36, ALNUM)),
            Rule::GithubToken,
        ),
        (
            format!("t: github_pat_{}", random(3, 82, ALNUM)),
            Rule::GithubToken,
        ),
        (format!("glpat-{}", random(4, 20, ALNUM)), Rule::GitlabToken),
        (
            format!(
                "SLACK=xoxb-{}-{}-{}",
                random(5, 12, b"0123456789"),
                random(6, 12, b"0123456789"),
                random(7, 24, ALNUM)
            ),
            Rule::SlackToken,
        ),
        (
            format!("stripe.api_key = \"sk_live_{}\"", random(8, 24, ALNUM)),
            Rule::StripeKey,
        ),
        (
            format!("maps: AIza{}", random(9, 35, ALNUM)),
            Rule::GoogleApiKey,
        ),
        (
            format!(
                "//registry.npmjs.org/:_authToken=npm_{}",
                random(10, 36, ALNUM)
            ),
            Rule::NpmToken,
        ),
        (
            format!("password = pypi-AgEIcHlwaS5vcmc{}", random(11, 60, ALNUM)),
            Rule::PypiToken,
        ),
    ];
    for (text, rule) in cases {
        assert_eq!(rules(&text), vec![rule], "{text}");
    }
}

#[test]
fn aws_secret_named_and_nearby() {
    let id = format!("AKIA{}", random(20, 16, UPPER_DIGITS));
    let secret = random(21, 40, BASE64);
    let named = format!("aws_secret_access_key = {secret}\n");
    assert_eq!(rules(&named), vec![Rule::AwsSecretAccessKey]);
    let near = format!("[default]\nid={id}\n\nkey={secret}\n");
    let found = Scanner::shared().scan(near.as_bytes());
    let got: Vec<(Rule, usize)> = found.iter().map(|m| (m.rule, m.line)).collect();
    assert_eq!(
        got,
        vec![(Rule::AwsAccessKeyId, 2), (Rule::AwsSecretAccessKey, 4)]
    );
    // A 40-character value far from any key ID is not an AWS secret.
    let far = format!("sha={secret}\n");
    assert!(rules(&far).is_empty());
    // AWS documentation's example key.
    assert!(rules("AKIAIOSFODNN7EXAMPLE").is_empty());
}

#[test]
fn private_keys_need_a_body() {
    let body = random(30, 64, BASE64);
    let pem =
        format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n{body}\n-----END RSA PRIVATE KEY-----\n");
    let found = Scanner::shared().scan(pem.as_bytes());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, Rule::PrivateKey);
    assert_eq!(found[0].line, 1);
    let openssh = format!("x\n-----BEGIN OPENSSH PRIVATE KEY-----\r\n{body}\r\n");
    assert_eq!(rules(&openssh), vec![Rule::PrivateKey]);
    let escaped =
        format!("KEY=\"-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----\"");
    assert_eq!(rules(&escaped), vec![Rule::PrivateKey]);
    // A library naming the header, a certificate, a public key: none is a private key.
    assert!(rules("if line == \"-----BEGIN RSA PRIVATE KEY-----\":\n    parse()\n").is_empty());
    assert!(rules(&format!("-----BEGIN CERTIFICATE-----\n{body}\n")).is_empty());
    assert!(rules(&format!("-----BEGIN PUBLIC KEY-----\n{body}\n")).is_empty());
}

#[test]
fn jwt_needs_a_json_header_with_alg() {
    let header =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"sub":"1234567890"}"#);
    let token = format!("{header}.{payload}.{}", random(40, 43, ALNUM));
    assert_eq!(
        rules(&format!("Authorization: Bearer {token}")),
        vec![Rule::Jwt]
    );
    let no_alg =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","x":"y"}"#);
    assert!(rules(&format!("{no_alg}.{payload}.{}", random(41, 43, ALNUM))).is_empty());
}

#[test]
fn generic_assignments_need_entropy() {
    let value = random(50, 24, BASE64);
    for text in [
        format!("password={value}"),
        format!("api_key: \"{value}\""),
        format!("SECRET_KEY = '{value}'"),
        format!("db.password := {value}"),
    ] {
        assert_eq!(rules(&text), vec![Rule::GenericSecret], "{text}");
    }
    for text in [
        "password=changeme",
        "password = ${DB_PASSWORD}",
        "api_key: <your-token>",
        "token = xxxxxxxxxxxxxxxx",
        "SECRET_KEY = os.environ['SECRET_KEY']",
        "password = self.password",
        "password: str = None",
        "token = tokenize.generate_tokens(readline)",
        "max_tokens = 4096000000",
        "password=aaaaaaaaaaaaaaaa",
        "password=correcthorsebatterystaple",
        "passwd: /etc/passwd",
        "token_type = 'quoted-string'",
        "password_class = WhitespaceTerminal",
    ] {
        assert!(rules(text).is_empty(), "{text}");
    }
}

#[test]
fn generic_rule_can_be_left_out() {
    let text = format!("password={}", random(51, 24, BASE64));
    assert_eq!(
        Scanner::shared().scan_with(text.as_bytes(), 10, false),
        vec![]
    );
    let token = format!("ghp_{}", random(52, 36, ALNUM));
    assert_eq!(
        Scanner::shared()
            .scan_with(token.as_bytes(), 10, false)
            .len(),
        1
    );
}

#[test]
fn specific_rule_wins_over_generic() {
    let token = format!("ghp_{}", random(60, 36, ALNUM));
    assert_eq!(
        rules(&format!("GITHUB_TOKEN={token}")),
        vec![Rule::GithubToken]
    );
}

#[test]
fn line_numbers_and_limits() {
    let value = random(70, 24, BASE64);
    let text = format!("a\nb\npassword={value}\nc\ntoken={value}\n");
    let found = Scanner::shared().scan(text.as_bytes());
    assert_eq!(found.iter().map(|m| m.line).collect::<Vec<_>>(), vec![3, 5]);
    assert_eq!(Scanner::shared().scan_limited(text.as_bytes(), 1).len(), 1);
}

#[test]
fn redaction_never_shows_the_secret() {
    assert_eq!(
        redact(b"ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
        "ghp_…(40 chars)"
    );
    assert_eq!(redact(b"abcdefghij"), "ab…(10 chars)");
    assert_eq!(redact(b"abc"), "…(3 chars)");
    let token = format!("ghp_{}", random(80, 36, ALNUM));
    let text = format!("RUN |1 GH={token} /bin/sh -c echo");
    let redacted = Scanner::shared().redact_text(&text);
    assert!(!redacted.contains(&token));
    assert!(redacted.contains("ghp_…(40 chars)"), "{redacted}");
}

#[test]
fn long_lines_and_bad_bytes_do_not_panic() {
    let mut text = vec![b'a'; 3 * 1024 * 1024];
    let token = format!("ghp_{}", random(90, 36, ALNUM));
    text.splice(2_000_000..2_000_000, format!(" {token} ").into_bytes());
    text.extend_from_slice(b"\xff\xfe password=\xc3\x28\xa0\xa1 \xf0\x28\x8c\x28\n");
    text.extend_from_slice(b"-----BEGIN PRIVATE KEY-----");
    let found = Scanner::shared().scan(&text);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, Rule::GithubToken);
    // Every prefix of an anchor-dense text.
    let dense = b"password=token=secret=AKIA-----BEGIN PRIVATE KEY-----eyJ";
    for end in 0..dense.len() {
        let _ = Scanner::shared().scan(&dense[..end]);
    }
}

#[test]
fn entropy() {
    assert_eq!(shannon_entropy(b""), 0.0);
    assert_eq!(shannon_entropy(b"aaaa"), 0.0);
    assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
    assert!(generic_entropy_threshold(32) > generic_entropy_threshold(10));
}
