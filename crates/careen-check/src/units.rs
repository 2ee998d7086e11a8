//! Values as people write them in `careen.toml`: sizes (`"200MB"`,
//! `"1.5 GiB"`, or bytes), ratios (`"90%"` or `0.9`) and how pinned a base
//! image must be (`true`, `false`, `"tag"`, `"digest"`).

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// A number of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Size(pub u64);

impl Size {
    /// `"200MB"`, `"1.5 GiB"`, `"100"` (bytes). Decimal units are powers of
    /// 1000, binary (`KiB`, `MiB`, `GiB`) powers of 1024.
    pub fn parse(text: &str) -> Result<Size, String> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err("an empty size; write it like \"200MB\" or \"1.5 GiB\"".to_owned());
        }
        trimmed
            .parse::<bytesize::ByteSize>()
            .map(|size| Size(size.as_u64()))
            .map_err(|_| format!("`{text}` is not a size; write it like \"200MB\" or \"1.5 GiB\""))
    }
}

impl fmt::Display for Size {
    /// `200.0 MB`: decimal units, as `careen analyze` (and docker, and dive) print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", bytesize::ByteSize::b(self.0).display().si())
    }
}

impl Serialize for Size {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Size, D::Error> {
        struct SizeVisitor;
        impl Visitor<'_> for SizeVisitor {
            type Value = Size;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a size like \"200MB\", \"1.5 GiB\" or a number of bytes")
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Size, E> {
                u64::try_from(value)
                    .map(Size)
                    .map_err(|_| E::custom("a size cannot be negative"))
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Size, E> {
                Ok(Size(value))
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Size, E> {
                Size::parse(value).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(SizeVisitor)
    }
}

/// A fraction between 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Ratio(pub f64);

impl Ratio {
    /// `"90%"`, `"0.9"`.
    pub fn parse(text: &str) -> Result<Ratio, String> {
        let trimmed = text.trim();
        let value = match trimmed.strip_suffix('%') {
            Some(percent) => percent.trim().parse::<f64>().map(|p| p / 100.0),
            None => trimmed.parse::<f64>(),
        }
        .map_err(|_| format!("`{text}` is not a percentage; write it like \"90%\" or 0.9"))?;
        Ratio::new(value)
    }

    fn new(value: f64) -> Result<Ratio, String> {
        if (0.0..=1.0).contains(&value) {
            Ok(Ratio(value))
        } else {
            Err(format!(
                "{value} is outside 0..1; write a percentage like \"90%\" or a fraction like 0.9"
            ))
        }
    }
}

impl fmt::Display for Ratio {
    /// `92.5%`: at most one decimal, none when whole.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let percent = self.0 * 100.0;
        if !percent.is_finite() {
            return f.write_str("n/a");
        }
        let rounded = (percent * 10.0).round() / 10.0;
        if rounded.fract() == 0.0 {
            write!(f, "{rounded:.0}%")
        } else {
            write!(f, "{rounded:.1}%")
        }
    }
}

impl Serialize for Ratio {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.0)
    }
}

impl<'de> Deserialize<'de> for Ratio {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Ratio, D::Error> {
        struct RatioVisitor;
        impl Visitor<'_> for RatioVisitor {
            type Value = Ratio;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a percentage like \"90%\" or a fraction like 0.9")
            }
            fn visit_f64<E: de::Error>(self, value: f64) -> Result<Ratio, E> {
                Ratio::new(value).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Ratio, E> {
                // 0 and 1 are fractions; `90` is a slip for "90%".
                match value {
                    0 | 1 => Ok(Ratio(value as f64)),
                    _ => Err(E::custom(format!(
                        "{value} is outside 0..1; write \"{value}%\" or {}",
                        value as f64 / 100.0
                    ))),
                }
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Ratio, E> {
                Ratio::parse(value).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(RatioVisitor)
    }
}

/// How pinned every base image must be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum PinLevel {
    /// Not checked.
    #[default]
    Off,
    /// A tag other than `latest` (or a digest).
    Tag,
    /// A digest (`@sha256:…`).
    Digest,
}

impl Serialize for PinLevel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            PinLevel::Off => serializer.serialize_bool(false),
            PinLevel::Tag => serializer.serialize_str("tag"),
            PinLevel::Digest => serializer.serialize_str("digest"),
        }
    }
}

impl<'de> Deserialize<'de> for PinLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PinLevel, D::Error> {
        struct PinVisitor;
        impl Visitor<'_> for PinVisitor {
            type Value = PinLevel;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true, false, \"tag\" or \"digest\"")
            }
            fn visit_bool<E: de::Error>(self, value: bool) -> Result<PinLevel, E> {
                Ok(if value { PinLevel::Tag } else { PinLevel::Off })
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<PinLevel, E> {
                match value {
                    "tag" => Ok(PinLevel::Tag),
                    "digest" => Ok(PinLevel::Digest),
                    _ => Err(E::custom(format!(
                        "`{value}`: expected true, false, \"tag\" or \"digest\""
                    ))),
                }
            }
        }
        deserializer.deserialize_any(PinVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(Size::parse("200MB"), Ok(Size(200_000_000)));
        assert_eq!(Size::parse("1.5 GiB"), Ok(Size(1_610_612_736)));
        assert_eq!(Size::parse("100"), Ok(Size(100)));
        assert!(Size::parse("big").is_err());
        assert!(Size::parse("").is_err());
        assert_eq!(Size(200_000_000).to_string(), "200.0 MB");
    }

    #[test]
    fn ratios() {
        assert_eq!(Ratio::parse("90%"), Ok(Ratio(0.9)));
        assert_eq!(Ratio::parse(" 0.25 "), Ok(Ratio(0.25)));
        assert!(Ratio::parse("120%").is_err());
        assert!(Ratio::parse("-0.1").is_err());
        assert!(Ratio::parse("ninety").is_err());
        assert_eq!(Ratio(0.925).to_string(), "92.5%");
        assert_eq!(Ratio(0.9).to_string(), "90%");
        assert_eq!(Ratio(f64::NAN).to_string(), "n/a");
    }

    #[derive(Debug, Deserialize)]
    struct Probe {
        ratio: Option<Ratio>,
        pin: Option<PinLevel>,
        size: Option<Size>,
    }

    fn probe(text: &str) -> Result<Probe, String> {
        toml::from_str(text).map_err(|e| e.message().to_owned())
    }

    #[test]
    fn toml_values() {
        assert_eq!(probe("ratio = 1").unwrap().ratio, Some(Ratio(1.0)));
        assert_eq!(probe("ratio = 0.5").unwrap().ratio, Some(Ratio(0.5)));
        let error = probe("ratio = 90").unwrap_err();
        assert!(error.contains("\"90%\""), "{error}");
        assert_eq!(probe("pin = true").unwrap().pin, Some(PinLevel::Tag));
        assert_eq!(
            probe("pin = \"digest\"").unwrap().pin,
            Some(PinLevel::Digest)
        );
        assert!(probe("pin = \"sha\"").is_err());
        assert_eq!(probe("size = 5").unwrap().size, Some(Size(5)));
        assert!(probe("size = -5").is_err());
        assert!(probe("size = true").is_err());
    }
}
