//! `careen analyze` end to end: the image readers and dive's figures together
//! reproduce dive 0.13.1's numbers on every fixture it read
//! (`../shared/conformance/images/expected-dive.json`).

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
        (4, "root/example/somefile1.txt"),
        (5, "root/example/somefile2.txt"),
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
        text.contains("layer 6 (`cp /somefile.txt /root/example/somefile3.txt`)"),
        "{text}"
    );
}
