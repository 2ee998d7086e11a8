//! Rules of the `packages` topic: package managers in RUN (apt, apk, pip,
//! npm, yarn, gem, go, yum, dnf, zypper). They carry hadolint's codes and
//! follow hadolint 2.15.1's view of a RUN (see `manager`).

use crate::rule::Rule;

mod apk_add_no_cache;
mod apk_add_pin_versions;
mod apt_get_missing_yes;
mod apt_get_no_install_recommends;
mod apt_get_pin_versions;
mod apt_lists_not_deleted;
mod apt_not_apt_get;
mod dnf_clean_missing;
mod dnf_missing_yes;
mod dnf_pin_versions;
mod gem_pin_versions;
mod go_pin_versions;
pub(crate) mod manager;
mod npm_pin_versions;
mod pip_no_cache_dir;
mod pip_pin_versions;
mod report;
mod yarn_cache_not_cleaned;
mod yum_clean_missing;
mod yum_missing_yes;
mod yum_pin_versions;
mod zypper_clean_missing;
mod zypper_dist_upgrade;
mod zypper_missing_yes;
mod zypper_pin_versions;

pub(crate) static RULES: &[&dyn Rule] = &[
    &apt_get_pin_versions::AptGetPinVersions,
    &apt_lists_not_deleted::AptListsNotDeleted,
    &pip_pin_versions::PipPinVersions,
    &apt_get_missing_yes::AptGetMissingYes,
    &apt_get_no_install_recommends::AptGetNoInstallRecommends,
    &npm_pin_versions::NpmPinVersions,
    &apk_add_pin_versions::ApkAddPinVersions,
    &apk_add_no_cache::ApkAddNoCache,
    &apt_not_apt_get::AptNotAptGet,
    &gem_pin_versions::GemPinVersions,
    &yum_missing_yes::YumMissingYes,
    &yum_clean_missing::YumCleanMissing,
    &yum_pin_versions::YumPinVersions,
    &zypper_missing_yes::ZypperMissingYes,
    &zypper_dist_upgrade::ZypperDistUpgrade,
    &zypper_clean_missing::ZypperCleanMissing,
    &zypper_pin_versions::ZypperPinVersions,
    &dnf_missing_yes::DnfMissingYes,
    &dnf_clean_missing::DnfCleanMissing,
    &dnf_pin_versions::DnfPinVersions,
    &pip_no_cache_dir::PipNoCacheDir,
    &yarn_cache_not_cleaned::YarnCacheNotCleaned,
    &go_pin_versions::GoPinVersions,
];
