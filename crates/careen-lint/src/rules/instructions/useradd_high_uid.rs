use super::hadolint_shell::{runs, Onbuild};
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rule::{Rule, RuleInfo};

rule! {
    /// ## What it does
    /// Checks for `useradd -u` with a long UID and without `-l` (`--no-log-init`).
    ///
    /// ## Why is this bad?
    /// `useradd` records the new user in `/var/log/lastlog` and `/var/log/faillog`,
    /// sparse files indexed by UID. A UID in the millions makes them gigabytes
    /// large, and image layers do not keep files sparse, so the image grows by that
    /// much. `-l` skips those logs.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN useradd -u 1000000 app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN useradd -l -u 1000000 app
    /// ```
    ///
    /// ## Fix
    /// Adds `-l` after `useradd`. Safe: it only skips the login records. No fix for
    /// exec-form RUN.
    ///
    /// ## Differences from hadolint
    /// Same reading as hadolint: only `-u VALUE` is looked at (not `--uid`), and
    /// a UID counts as long when it is written with more than five characters;
    /// a variable counts as written in braces, so `-u $UID` is flagged.
    ///
    /// When a RUN script has a shell syntax error, hadolint checks nothing in it;
    /// careen still checks the commands it can read.
    pub(crate) struct UseraddHighUid {
        code: "DL3046",
        name: "useradd-high-uid",
        severity: Warning,
        fix: Sometimes,
        enabled: true,
    }
}

/// Length of an argument as hadolint measures it: unbraced `$NAME`
/// references count as `${NAME}`.
fn written_length(value: &str) -> usize {
    let chars: Vec<char> = value.chars().collect();
    let mut extra = 0;
    for (i, c) in chars.iter().enumerate() {
        if *c == '$' {
            if let Some(next) = chars.get(i + 1) {
                if next.is_alphanumeric() || *next == '_' {
                    extra += 2;
                }
            }
        }
    }
    chars.len() + extra
}

impl Rule for UseraddHighUid {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for run in runs(ctx, Onbuild::Include) {
            for source in &run.scripts {
                for c in source.commands() {
                    if c.name != "useradd"
                        || c.has_any_flag(&["l", "no-log-init"])
                        || !c.has_any_flag(&["u", "uid"])
                    {
                        continue;
                    }
                    let Some(uid) = c
                        .flag_values("u")
                        .into_iter()
                        .find(|w| written_length(&w.value) > 5)
                    else {
                        continue;
                    };
                    let mut diagnostic = Diagnostic::new(
                        &Self::INFO,
                        source.span(ctx, uid.range.clone()),
                        format!(
                            "`useradd` with UID `{}` and without `-l` bloats the image",
                            uid.value
                        ),
                    )
                    .with_help("add `-l` (`--no-log-init`)");
                    if let Some(at) = source.source_offset(ctx, c.name_word.range.end) {
                        diagnostic = diagnostic
                            .with_fix(Fix::safe("Add `-l`", vec![Edit::insert(at, " -l")]));
                    }
                    out.push(diagnostic);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::written_length;

    #[test]
    fn variables_count_braced() {
        assert_eq!(written_length("$UID"), 6);
        assert_eq!(written_length("${UID}"), 6);
        assert_eq!(written_length("12345"), 5);
    }
}
