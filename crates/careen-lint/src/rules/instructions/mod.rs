//! Rules of the `instructions` topic.

mod absolute_workdir;
mod add_instead_of_copy;
mod cd_instead_of_workdir;
mod consecutive_run;
mod container_irrelevant_command;
mod copy_entire_filesystem;
mod copy_from_own_stage;
mod copy_from_unknown_stage;
mod copy_multi_source_dest;
mod copy_relative_dest_without_workdir;
mod copy_then_extract;
mod duplicate_stage_name;
mod env_self_reference;
mod expose_port_range;
mod from_platform;
mod hadolint_image;
mod hadolint_shell;
mod healthcheck_missing;
mod inline_ignore_pragma;
mod instruction_before_from;
mod instruction_count;
mod invalid_label_key;
mod json_form_cmd;
mod label_empty;
mod label_missing;
mod label_not_email;
mod label_not_git_hash;
mod label_not_rfc3339;
mod label_not_semver;
mod label_not_spdx;
mod label_not_url;
mod label_schema;
mod label_superfluous;
mod last_user_root;
mod latest_tag;
mod ln_bin_sh;
mod maintainer_deprecated;
mod multiple_cmd;
mod multiple_entrypoint;
mod multiple_healthchecks;
mod non_numeric_user;
mod onbuild_forbidden_trigger;
mod pipefail;
mod redundant_target_platform;
mod reserved_stage_name;
pub(crate) mod sensitive_arg_env_name;
mod sudo_in_run;
mod trusted_registry;
mod untagged_image;
mod useradd_high_uid;
mod wget_and_curl;
mod wget_progress;

use crate::rule::Rule;

pub(crate) static RULES: &[&dyn Rule] = &[
    &absolute_workdir::AbsoluteWorkdir,
    &container_irrelevant_command::ContainerIrrelevantCommand,
    &last_user_root::LastUserRoot,
    &cd_instead_of_workdir::CdInsteadOfWorkdir,
    &sudo_in_run::SudoInRun,
    &untagged_image::UntaggedImage,
    &latest_tag::LatestTag,
    &copy_then_extract::CopyThenExtract,
    &expose_port_range::ExposePortRange,
    &add_instead_of_copy::AddInsteadOfCopy,
    &copy_multi_source_dest::CopyMultiSourceDest,
    &copy_from_unknown_stage::CopyFromUnknownStage,
    &copy_from_own_stage::CopyFromOwnStage,
    &duplicate_stage_name::DuplicateStageName,
    &json_form_cmd::JsonFormCmd,
    &trusted_registry::TrustedRegistry,
    &from_platform::FromPlatform,
    &useradd_high_uid::UseraddHighUid,
    &wget_progress::WgetProgress,
    &wget_and_curl::WgetAndCurl,
    &ln_bin_sh::LnBinSh,
    &pipefail::Pipefail,
    &inline_ignore_pragma::InlineIgnorePragma,
    &multiple_healthchecks::MultipleHealthchecks,
    &onbuild_forbidden_trigger::OnbuildForbiddenTrigger,
    &env_self_reference::EnvSelfReference,
    &copy_relative_dest_without_workdir::CopyRelativeDestWithoutWorkdir,
    &invalid_label_key::InvalidLabelKey,
    &label_missing::LabelMissing,
    &label_superfluous::LabelSuperfluous,
    &label_empty::LabelEmpty,
    &label_not_url::LabelNotUrl,
    &label_not_rfc3339::LabelNotRfc3339,
    &label_not_spdx::LabelNotSpdx,
    &label_not_git_hash::LabelNotGitHash,
    &label_not_semver::LabelNotSemver,
    &healthcheck_missing::HealthcheckMissing,
    &label_not_email::LabelNotEmail,
    &consecutive_run::ConsecutiveRun,
    &instruction_before_from::InstructionBeforeFrom,
    &reserved_stage_name::ReservedStageName,
    &sensitive_arg_env_name::SensitiveArgEnvName,
    &redundant_target_platform::RedundantTargetPlatform,
    &non_numeric_user::NonNumericUser,
    &copy_entire_filesystem::CopyEntireFilesystem,
    &maintainer_deprecated::MaintainerDeprecated,
    &multiple_cmd::MultipleCmd,
    &multiple_entrypoint::MultipleEntrypoint,
];
