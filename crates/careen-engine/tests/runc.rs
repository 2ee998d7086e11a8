//! Real containers under runc, from the buildah-built test images (scripts/test-images.sh).

use std::path::PathBuf;
use std::time::Duration;

use careen_engine::bundle::unpack;
use careen_engine::runtime::{BundleOptions, ProcessSpec, Runtime};

/// The test image `name`, or `None` when CAREEN_SKIP_IMAGE_TESTS=1 and it is missing.
fn test_image(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/test-data/images")
        .join(format!("{name}.docker.tar"));
    if path.is_file() {
        return Some(path);
    }
    if std::env::var_os("CAREEN_SKIP_IMAGE_TESTS").is_some_and(|v| v == "1") {
        return None;
    }
    panic!(
        "{} is missing: build the test images with scripts/test-images.sh (or set CAREEN_SKIP_IMAGE_TESTS=1)",
        path.display()
    );
}

#[test]
fn waste_image_runs_its_cmd_under_runc() {
    let Some(path) = test_image("waste") else {
        return;
    };
    let image = careen_image::open(&path.display().to_string(), &Default::default()).unwrap();
    let work = tempfile::tempdir().unwrap();
    let rootfs = work.path().join("rootfs");
    let stats = unpack(&image, &rootfs).unwrap();
    assert!(stats.files > 100, "{stats:?}");
    // The layer that deleted these left whiteouts.
    assert!(!rootfs.join("tmp/scratch.bin").exists());
    assert!(!rootfs.join("app/.env").exists());
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(rootfs.join("usr/local/bin/careen-tool"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o7777, 0o4755);

    let runtime = Runtime::detect().unwrap();
    let process = ProcessSpec::from_image(&image.config, &rootfs, None).unwrap();
    let output = runtime
        .run(
            &rootfs,
            &process,
            &BundleOptions::default(),
            work.path(),
            Duration::from_secs(60),
        )
        .unwrap();
    assert_eq!(output.exit_code, Some(0), "{output:?}");
    assert!(output.stdout.starts_with("jq-"), "{output:?}");

    // A failing command reports its exit code; no network interface is up.
    let failing = ProcessSpec::from_image(
        &image.config,
        &rootfs,
        Some(vec![
            "sh".into(),
            "-c".into(),
            "cat /sys/class/net/eth0/address; exit 3".into(),
        ]),
    )
    .unwrap();
    let output = runtime
        .run(
            &rootfs,
            &failing,
            &BundleOptions {
                readonly_rootfs: true,
            },
            work.path(),
            Duration::from_secs(60),
        )
        .unwrap();
    assert_eq!(output.exit_code, Some(3), "{output:?}");
    assert!(output.stderr.contains("No such file"), "{output:?}");

    // A timeout kills the container.
    let sleeper = ProcessSpec::from_image(
        &image.config,
        &rootfs,
        Some(vec!["sleep".into(), "30".into()]),
    )
    .unwrap();
    let output = runtime
        .run(
            &rootfs,
            &sleeper,
            &BundleOptions::default(),
            work.path(),
            Duration::from_secs(1),
        )
        .unwrap();
    assert!(output.timed_out, "{output:?}");
    assert!(output.duration < Duration::from_secs(15));
    // Every bundle was removed.
    let left: Vec<_> = std::fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("rootfs")]);
}

#[test]
fn exec_runs_inside_a_running_container_and_drop_cleans_up() {
    let Some(path) = test_image("waste") else {
        return;
    };
    let image = careen_image::open(&path.display().to_string(), &Default::default()).unwrap();
    let work = tempfile::tempdir().unwrap();
    let rootfs = work.path().join("rootfs");
    unpack(&image, &rootfs).unwrap();
    let runtime = Runtime::detect().unwrap();
    let sleeper = ProcessSpec::from_image(
        &image.config,
        &rootfs,
        Some(vec!["sleep".into(), "30".into()]),
    )
    .unwrap();
    let id;
    {
        let mut container = runtime
            .start(&rootfs, &sleeper, &BundleOptions::default(), work.path())
            .unwrap();
        id = container.id().to_owned();
        assert_eq!(container.wait_for(Duration::from_secs(1)).unwrap(), None);
        let probe = ProcessSpec {
            args: vec![
                "sh".into(),
                "-c".into(),
                "cat /proc/1/cmdline | tr '\\0' ' '; id -u".into(),
            ],
            ..sleeper.clone()
        };
        let output = container.exec(&probe, Duration::from_secs(30)).unwrap();
        assert_eq!(output.exit_code, Some(0), "{output:?}");
        assert_eq!(output.stdout, "sleep 30 0\n");
        let failing = ProcessSpec {
            args: vec!["false".into()],
            ..sleeper.clone()
        };
        assert_eq!(
            container
                .exec(&failing, Duration::from_secs(30))
                .unwrap()
                .exit_code,
            Some(1)
        );
    }
    // Dropped: the container is gone from runc's state and the bundle is removed.
    let state = std::process::Command::new(&runtime.binary)
        .args(["state", &id])
        .output()
        .unwrap();
    assert!(!state.status.success(), "{state:?}");
    assert!(!work.path().join(&id).exists());
}
