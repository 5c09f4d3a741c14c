//! Reading a chart archive (`.tgz`) in memory, without unpacking it to disk: the top-level
//! `NAME/Chart.yaml` and `NAME/values.yaml` (subcharts under `NAME/charts/` are not read).

use std::io::Read;

use flate2::read::GzDecoder;

/// The two files certgate needs from a chart archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartFiles {
    /// The archive's top-level directory (the chart name Helm packaged it under).
    pub dir: String,
    pub chart_yaml: String,
    /// `values.yaml`; a chart without one has no defaults.
    pub values_yaml: Option<String>,
}

/// Bounds on what an archive may make us decompress (a gzip bomb stops here).
#[derive(Debug, Clone, Copy)]
pub struct ArchiveLimits {
    pub max_entry_bytes: u64,
    pub max_total_bytes: u64,
    pub max_entries: usize,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_entry_bytes: 8 << 20,
            max_total_bytes: 64 << 20,
            max_entries: 10_000,
        }
    }
}

/// Read `Chart.yaml` and `values.yaml` from the bytes of a `.tgz`; the error says, for a user, why
/// this is not a chart.
pub fn read_chart(bytes: &[u8], limits: ArchiveLimits) -> Result<ChartFiles, String> {
    let mut archive = tar::Archive::new(GzDecoder::new(bytes));
    let entries = archive
        .entries()
        .map_err(|e| format!("not a gzip-compressed tar archive: {e}"))?;
    let mut chart_yaml: Option<(String, String)> = None;
    let mut values: Vec<(String, String)> = Vec::new();
    let mut total: u64 = 0;
    for (count, entry) in entries.enumerate() {
        if count >= limits.max_entries {
            return Err(format!("holds more than {} entries", limits.max_entries));
        }
        let mut entry = entry.map_err(|e| format!("not a valid gzip-compressed tar archive: {e}"))?;
        let path = entry.path().map_err(|e| format!("has an unreadable entry name: {e}"))?;
        let parts: Vec<String> = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let [dir, file] = parts.as_slice() else { continue };
        if file != "Chart.yaml" && file != "values.yaml" {
            continue;
        }
        let size = entry.header().size().unwrap_or(u64::MAX);
        if size > limits.max_entry_bytes {
            return Err(format!("{dir}/{file} is larger than {} bytes", limits.max_entry_bytes));
        }
        total = total.saturating_add(size);
        if total > limits.max_total_bytes {
            return Err(format!("decompresses to more than {} bytes", limits.max_total_bytes));
        }
        let mut data = Vec::with_capacity(size as usize);
        (&mut entry)
            .take(limits.max_entry_bytes + 1)
            .read_to_end(&mut data)
            .map_err(|e| format!("{dir}/{file} cannot be decompressed: {e}"))?;
        let text = String::from_utf8(data).map_err(|_| format!("{dir}/{file} is not UTF-8 text"))?;
        if file == "Chart.yaml" {
            if chart_yaml.is_none() {
                chart_yaml = Some((dir.clone(), text));
            }
        } else {
            values.push((dir.clone(), text));
        }
    }
    let (dir, chart_yaml) = chart_yaml.ok_or("holds no NAME/Chart.yaml: it is not a Helm chart archive")?;
    let values_yaml = values.into_iter().find(|(d, _)| *d == dir).map(|(_, t)| t);
    Ok(ChartFiles {
        dir,
        chart_yaml,
        values_yaml,
    })
}

/// Compare dotted numeric versions (`1.4.0` < `1.10.0`); None when either is not numeric.
pub fn compare_versions(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    let parse = |v: &str| -> Option<Vec<u64>> {
        let core = v.trim_start_matches('v').split(['-', '+']).next()?;
        core.split('.').map(|p| p.parse().ok()).collect()
    };
    let (mut x, mut y) = (parse(a)?, parse(b)?);
    let n = x.len().max(y.len());
    x.resize(n, 0);
    y.resize(n, 0);
    Some(x.cmp(&y))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;

    /// A `.tgz` holding the given files, as `helm package` lays them out.
    pub(crate) fn tgz(files: &[(&str, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
        for (path, text) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, path, text.as_bytes()).unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn reads_top_level_chart_files_only() {
        let bytes = tgz(&[
            ("es/Chart.yaml", "name: es\nversion: 1.4.0\n"),
            ("es/charts/sub/values.yaml", "x: 1\n"),
            ("es/values.yaml", "tls:\n  type: selfsigned\n"),
        ]);
        let files = read_chart(&bytes, ArchiveLimits::default()).unwrap();
        assert_eq!(files.dir, "es");
        assert_eq!(files.values_yaml.as_deref(), Some("tls:\n  type: selfsigned\n"));
    }

    #[test]
    fn rejects_what_is_not_a_chart() {
        assert!(read_chart(b"not gzip", ArchiveLimits::default()).is_err());
        let no_chart = tgz(&[("es/values.yaml", "a: 1\n")]);
        assert!(
            read_chart(&no_chart, ArchiveLimits::default())
                .unwrap_err()
                .contains("Chart.yaml")
        );
        let big = tgz(&[("es/Chart.yaml", &"#".repeat(2048))]);
        let small = ArchiveLimits {
            max_entry_bytes: 1024,
            ..ArchiveLimits::default()
        };
        assert!(read_chart(&big, small).unwrap_err().contains("larger"));
    }

    #[test]
    fn versions_compare_numerically() {
        use std::cmp::Ordering::*;
        assert_eq!(compare_versions("1.3.0", "1.4.0"), Some(Less));
        assert_eq!(compare_versions("1.10.0", "1.4.0"), Some(Greater));
        assert_eq!(compare_versions("1.4", "1.4.0"), Some(Equal));
        assert_eq!(compare_versions("latest", "1.4.0"), None);
    }
}
