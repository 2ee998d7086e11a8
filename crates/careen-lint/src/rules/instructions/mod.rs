//! Rules of the `instructions` topic.

mod absolute_workdir;
mod add_instead_of_copy;
mod cd_instead_of_workdir;
mod container_irrelevant_command;
mod copy_from_own_stage;
mod copy_from_unknown_stage;
mod copy_multi_source_dest;
mod copy_then_extract;
mod duplicate_stage_name;
mod expose_port_range;
mod from_platform;
mod hadolint_image;
mod hadolint_shell;
mod json_form_cmd;
mod last_user_root;
mod latest_tag;
mod ln_bin_sh;
mod pipefail;
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
];
