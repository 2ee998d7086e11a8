//! `careen analyze` end to end: the image readers and dive's figures together
//! reproduce dive 0.13.1's numbers on every fixture it read
//! (`../shared/conformance/images/expected-dive.json`). This is the dive
//! conformance test; efficiency is compared to within 1e-12 because two
//! recorded scores sit one ulp from the correctly rounded quotient of dive's
//! own (exactly matched) sums.

use crate::{careen, code, shared};

fn images() -> std::path::PathBuf {
    shared().join("conformance/images")
}

fn analyze_json(path: &std::path::Path) -> serde_json::Value {
    let out = careen()
        .args(["analyze", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    assert_eq!(
        code(&out),
        0,
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn matches_dive_on_every_fixture() {
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(images().join("expected-dive.json")).unwrap(),
    )
    .unwrap();
    let fixtures = expected["fixtures"].as_object().unwrap();
    assert_eq!(fixtures.len(), 7);
    let mut failures = Vec::new();
    for (name, dive) in fixtures {
        let ours = analyze_json(&images().join(name));
        let check = |what: &str,
                     a: &serde_json::Value,
                     b: &serde_json::Value,
                     failures: &mut Vec<String>| {
            if a != b {
                failures.push(format!("{name}: {what}: careen {a}, dive {b}"));
            }
        };
        check(
            "size",
            &ours["image"]["size_bytes"],
            &dive["image"]["sizeBytes"],
            &mut failures,
        );
        check(
            "wasted",
            &ours["image"]["wasted_bytes"],
            &dive["image"]["inefficientBytes"],
            &mut failures,
        );
        let efficiency = ours["image"]["efficiency"].as_f64().unwrap();
        let theirs = dive["image"]["efficiencyScore"].as_f64().unwrap();
        if (efficiency - theirs).abs() > 1e-12 {
            failures.push(format!(
                "{name}: efficiency careen {efficiency} dive {theirs}"
            ));
        }
        let layers = ours["layers"].as_array().unwrap();
        let dive_layers = dive["layers"].as_array().unwrap();
        if layers.len() != dive_layers.len() {
            failures.push(format!(
                "{name}: {} layers, dive {}",
                layers.len(),
                dive_layers.len()
            ));
        }
        for (a, b) in layers.iter().zip(dive_layers) {
            check(
                "layer size",
                &a["size_bytes"],
                &b["sizeBytes"],
                &mut failures,
            );
            check("layer files", &a["file_count"], &b["files"], &mut failures);
        }
        let files: Vec<(String, u64, u64)> = ours["inefficient_files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_string(),
                    f["count"].as_u64().unwrap(),
                    f["size_bytes"].as_u64().unwrap(),
                )
            })
            .collect();
        let dive_files: Vec<(String, u64, u64)> = dive["image"]["fileReference"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["file"].as_str().unwrap().to_string(),
                    f["count"].as_u64().unwrap(),
                    f["sizeBytes"].as_u64().unwrap(),
                )
            })
            .collect();
        if files != dive_files {
            failures.push(format!(
                "{name}: inefficient files differ:\n  careen {files:?}\n  dive   {dive_files:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The same image in every OCI encoding gives the same numbers.
#[test]
fn oci_encodings_agree() {
    let dir = images().join("dive");
    let reference = analyze_json(&dir.join("test-oci-uncompressed-image.tar"));
    for name in [
        "test-oci-gzip-image.tar",
        "test-oci-zstd-image.tar",
        "test-oci-estargz-image.tar",
    ] {
        let other = analyze_json(&dir.join(name));
        for key in ["size_bytes", "wasted_bytes", "efficiency"] {
            if name.contains("estargz") && key == "size_bytes" {
                // eStargz layers carry extra index entries dive counts as files.
                continue;
            }
            assert_eq!(
                other["image"][key], reference["image"][key],
                "{name}: {key}"
            );
        }
    }
}

#[test]
fn text_output_has_the_layer_table() {
    let out = careen()
        .arg("analyze")
        .arg(images().join("dive/test-docker-image.tar"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("efficiency 98.44 %"), "{text}");
    assert!(
        text.contains("LAYER") && text.contains("/root/saved.txt"),
        "{text}"
    );
}

#[test]
fn dive_ci_rules_set_the_exit_code() {
    let tmp = tempfile::tempdir().unwrap();
    let image = images().join("dive/test-docker-image.tar");
    let strict = tmp.path().join("strict.yaml");
    std::fs::write(&strict, "rules:\n  lowestEfficiency: 0.99\n  highestWastedBytes: 20KB\n  highestUserWastedPercent: disabled\n").unwrap();
    let out = careen()
        .args(["analyze", "--ci", "--ci-config"])
        .arg(&strict)
        .arg(&image)
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FAIL"));
    let lenient = tmp.path().join("lenient.yaml");
    std::fs::write(&lenient, "rules:\n  lowestEfficiency: 0.9\n  highestWastedBytes: 1MB\n  highestUserWastedPercent: 0.9\n").unwrap();
    let out = careen()
        .args(["analyze", "--ci", "--ci-config"])
        .arg(&lenient)
        .arg(&image)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn bad_images_exit_two_with_one_line() {
    for name in [
        "dive/test-uncompressed-image.tar",
        "go-containerregistry/no_manifest.tar",
        "go-containerregistry/null_manifest.tar",
        "missing.tar",
    ] {
        let out = careen()
            .arg("analyze")
            .arg(images().join(name))
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.starts_with("error: "), "{name}: {stderr}");
    }
}

/// careen's own `reclaimable_bytes`: the hidden lower copies, counted once.
#[test]
fn reclaimable_bytes_count_hidden_copies_once() {
    // overwritten_file.tar: layer 0 adds `foo.txt` (4 bytes); layer 1 adds
    // `bar.txt` (4 bytes) and replaces `foo.txt` by a symlink to it; layer 2
    // is empty. Only layer 0's 4-byte `foo.txt` is hidden: 4 bytes.
    let ours = analyze_json(&images().join("go-containerregistry/overwritten_file.tar"));
    assert_eq!(ours["image"]["reclaimable_bytes"], 4);
    let groups = ours["reclaimable"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["category"], "hidden");
    assert_eq!(groups[0]["items"][0]["path"], "foo.txt");
    assert_eq!(groups[0]["items"][0]["layer"], 0);

    // dive/test-docker-image.tar: every copied file is `somefile.txt`, 6,405
    // bytes. Hidden copies: somefile1.txt of layer 3 (chmod'ed copy in layer
    // 4 overwrites it), somefile1.txt of layer 4 and somefile2.txt of layer 5
    // (layer 9 deletes `root/example`), somefile3.txt of layer 6 (layer 7's
    // `mv` whites it out) and root/saved.txt of layer 7 (layer 13's `chmod`
    // overwrites it): 5 × 6,405 = 32,025. The busybox base has no caches,
    // toolchains or artefacts. dive's wasted bytes are also 32,025, but made
    // differently: it counts saved.txt's visible copy and misses
    // somefile2.txt (deleted with its directory, not by its own whiteout).
    // What layer 9's directory whiteout hides is one item per lower layer.
    let ours = analyze_json(&images().join("dive/test-docker-image.tar"));
    assert_eq!(ours["image"]["reclaimable_bytes"], 32_025);
    let hidden = &ours["reclaimable"][0];
    assert_eq!(hidden["category"], "hidden");
    assert_eq!(hidden["item_count"], 5);
    let mut seen: Vec<(u64, String)> = hidden["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            assert_eq!(i["size_bytes"], 6405);
            (
                i["layer"].as_u64().unwrap(),
                i["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    seen.sort();
    let expected: Vec<(u64, String)> = [
        (3, "root/example/somefile1.txt"),
        (4, "root/example/** (1 file)"),
        (5, "root/example/** (1 file)"),
        (6, "root/example/somefile3.txt"),
        (7, "root/saved.txt"),
    ]
    .iter()
    .map(|(l, p)| (*l, (*p).to_owned()))
    .collect();
    assert_eq!(seen, expected);
    assert!(hidden["items"][0]["instruction"]
        .as_str()
        .unwrap()
        .contains("cp /somefile.txt /root/example/somefile1.txt"));

    // The text output has the section.
    let out = careen()
        .arg("analyze")
        .arg(images().join("dive/test-docker-image.tar"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Reclaimable: 32.0 kB"), "{text}");
    assert!(
        text.contains("root/saved.txt, overwritten in layer 13"),
        "{text}"
    );
    assert!(
        text.contains("layer 6 (`cp /somefile.txt /root/example/somefile3.txt`)"),
        "{text}"
    );
}

/// A `docker save`-style archive with uncompressed layers of regular files
/// (`(path, contents)`); each layer's history `created_by` is `RUN step <i>`.
fn synthetic_archive(path: &std::path::Path, layers: &[&[(&str, &[u8])]]) {
    use sha2::Digest as _;
    let hex = |bytes: &[u8]| format!("{:x}", sha2::Sha256::digest(bytes));
    let blobs: Vec<Vec<u8>> = layers
        .iter()
        .map(|files| {
            let mut layer = tar::Builder::new(Vec::new());
            for (name, data) in *files {
                let mut header = tar::Header::new_gnu();
                header.set_mode(0o644);
                header.set_size(data.len() as u64);
                layer.append_data(&mut header, name, *data).unwrap();
            }
            layer.into_inner().unwrap()
        })
        .collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": blobs.iter().map(|b| format!("sha256:{}", hex(b))).collect::<Vec<_>>()},
        "history": (0..blobs.len()).map(|i| serde_json::json!({"created_by": format!("RUN step {i}")})).collect::<Vec<_>>(),
    }))
    .unwrap();
    let mut archive = tar::Builder::new(Vec::new());
    let mut add = |name: &str, data: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        header.set_size(data.len() as u64);
        archive.append_data(&mut header, name, data).unwrap();
    };
    let config_name = format!("{}.json", hex(&config));
    add(&config_name, &config);
    let names: Vec<String> = (0..blobs.len())
        .map(|i| format!("l{i}/layer.tar"))
        .collect();
    for (name, blob) in names.iter().zip(&blobs) {
        add(name, blob);
    }
    let manifest =
        serde_json::json!([{"Config": config_name, "RepoTags": ["r:1"], "Layers": names}]);
    add("manifest.json", &serde_json::to_vec(&manifest).unwrap());
    std::fs::write(path, archive.into_inner().unwrap()).unwrap();
}

/// The package databases reach the reclaim visitor through the real layer
/// stream: a dpkg `-dev` package counts with its files, apt lists by layer,
/// a Node devDependency by its package directory.
#[test]
fn reclaimable_bytes_read_package_databases() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("img.tar");
    let status = b"Package: libfoo-dev\nStatus: install ok installed\n\nPackage: libfoo1\nStatus: install ok installed\n";
    synthetic_archive(
        &path,
        &[
            &[("bin/sh", &[0u8; 100])],
            &[
                ("var/lib/apt/lists/x_Packages", &[1u8; 1000]),
                ("var/lib/dpkg/status", status),
                (
                    "var/lib/dpkg/info/libfoo-dev:amd64.list",
                    b"/usr/include/foo.h\n/usr/lib/libfoo.a\n",
                ),
                (
                    "var/lib/dpkg/info/libfoo1:amd64.list",
                    b"/usr/lib/libfoo.so.1\n",
                ),
                ("usr/include/foo.h", &[2u8; 20]),
                ("usr/lib/libfoo.a", &[3u8; 300]),
                ("usr/lib/libfoo.so.1", &[4u8; 4000]),
            ],
            &[
                ("app/package.json", br#"{"devDependencies":{"tsc":"1"}}"#),
                ("app/node_modules/tsc/package.json", b"{}"),
                ("app/node_modules/tsc/t.js", &[5u8; 50]),
            ],
        ],
    );
    let ours = analyze_json(&path);
    // apt lists 1,000 + libfoo-dev's header and archive 20 + 300 + the
    // devDependency `tsc` (its 2-byte manifest and 50-byte script).
    assert_eq!(ours["image"]["reclaimable_bytes"], 1372);
    let groups = ours["reclaimable"].as_array().unwrap();
    let find = |c: &str| groups.iter().find(|g| g["category"] == c).unwrap();
    assert_eq!(find("apt-lists")["items"][0]["layer"], 1);
    assert_eq!(find("apt-lists")["items"][0]["instruction"], "RUN step 1");
    assert_eq!(
        find("build-packages")["items"][0]["path"],
        "libfoo-dev (2 files)"
    );
}
