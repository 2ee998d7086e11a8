//! Every real-world Dockerfile in the shared corpus parses or gives an error;
//! none panics.

use std::path::Path;

#[test]
fn corpus_never_panics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dockerfiles");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let (mut ok, mut errs) = (0, Vec::new());
    let start = std::time::Instant::now();
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        match careen_dockerfile::parser::parse_bytes(&bytes) {
            Ok(df) => {
                ok += 1;
                let dump = df.root.dump();
                assert_eq!(df.instructions.len(), df.root.children.len());
                assert!(!dump.is_empty());
            }
            Err(e) => errs.push(format!("{}: {e}", f.display())),
        }
    }
    println!(
        "corpus: {ok} of {} parsed, {} errors, in {:?}",
        files.len(),
        errs.len(),
        start.elapsed()
    );
    for e in &errs {
        println!("  {e}");
    }
    // Timing of parsing alone (files already in memory), best of 3.
    let sources: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let total: usize = sources.iter().map(Vec::len).sum();
    let mut best = std::time::Duration::MAX;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        for s in &sources {
            let _ = careen_dockerfile::parser::parse_bytes(s);
        }
        best = best.min(t.elapsed());
    }
    println!("corpus: parsing {total} bytes takes {best:?}");
}
