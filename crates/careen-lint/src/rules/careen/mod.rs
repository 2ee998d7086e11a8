//! Rules of the `careen` topic.

mod copy_sources;
mod secrets;
mod secrets_in_arg_or_env;
mod secret_files_in_context;
mod missing_dockerignore;
mod dockerignore_misses_heavy_dirs;
mod large_build_context;
mod file_removed_in_later_layer;

use crate::rule::Rule;

pub(crate) static RULES: &[&dyn Rule] = &[
    &secrets_in_arg_or_env::SecretsInArgOrEnv,
    &secret_files_in_context::SecretFilesInContext,
    &missing_dockerignore::MissingDockerignore,
    &dockerignore_misses_heavy_dirs::DockerignoreMissesHeavyDirs,
    &large_build_context::LargeBuildContext,
    &file_removed_in_later_layer::FileRemovedInLaterLayer,
];
