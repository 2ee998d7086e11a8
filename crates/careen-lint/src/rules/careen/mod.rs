//! Rules of the `careen` topic.

mod copy_sources;
mod dockerignore_misses_heavy_dirs;
mod dockerignore_pattern_issues;
mod file_removed_in_later_layer;
mod large_build_context;
mod missing_dockerignore;
mod secret_files_in_context;
mod secret_in_run;
mod secrets;
mod secrets_in_arg_or_env;

mod add_remote_url;
mod base_image_without_digest;
mod build_cache_left;
mod build_tools_in_single_stage;
mod consistent_instruction_casing;
mod copy_all_before_install;
mod dev_dependencies_in_final_image;
mod from_as_casing;
mod http_service_without_healthcheck;
mod insecure_file_mode;
mod legacy_key_value_format;
mod missing_oci_labels;
mod missing_user;
mod npm_cache_left;
mod npm_install_with_lockfile;
mod npm_start_command;
mod package_upgrade;
mod parser_warning;
mod pid1_without_init;
mod practice;
mod remote_access_port;
mod stage_name_casing;
mod undefined_arg_in_from;
mod unknown_flag;
mod unknown_instruction;
mod update_without_install;
use crate::rule::Rule;

pub(crate) static RULES: &[&dyn Rule] = &[
    &secrets_in_arg_or_env::SecretsInArgOrEnv,
    &secret_files_in_context::SecretFilesInContext,
    &missing_dockerignore::MissingDockerignore,
    &dockerignore_misses_heavy_dirs::DockerignoreMissesHeavyDirs,
    &large_build_context::LargeBuildContext,
    &file_removed_in_later_layer::FileRemovedInLaterLayer,
    &secret_in_run::SecretInRun,
    &dockerignore_pattern_issues::DockerignorePatternIssues,
    &unknown_instruction::UnknownInstruction,
    &unknown_flag::UnknownFlag,
    &parser_warning::ParserWarning,
    &from_as_casing::FromAsCasing,
    &stage_name_casing::StageNameCasing,
    &legacy_key_value_format::LegacyKeyValueFormat,
    &undefined_arg_in_from::UndefinedArgInFrom,
    &consistent_instruction_casing::ConsistentInstructionCasing,
    &missing_user::MissingUser,
    &http_service_without_healthcheck::HttpServiceWithoutHealthcheck,
    &pid1_without_init::Pid1WithoutInit,
    &insecure_file_mode::InsecureFileMode,
    &remote_access_port::RemoteAccessPort,
    &add_remote_url::AddRemoteUrl,
    &package_upgrade::PackageUpgrade,
    &npm_start_command::NpmStartCommand,
    &base_image_without_digest::BaseImageWithoutDigest,
    &missing_oci_labels::MissingOciLabels,
    &update_without_install::UpdateWithoutInstall,
    &npm_cache_left::NpmCacheLeft,
    &npm_install_with_lockfile::NpmInstallWithLockfile,
    &dev_dependencies_in_final_image::DevDependenciesInFinalImage,
    &build_cache_left::BuildCacheLeft,
    &build_tools_in_single_stage::BuildToolsInSingleStage,
    &copy_all_before_install::CopyAllBeforeInstall,
];
