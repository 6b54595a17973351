//! GeoIP (`--geoip`): country, city, coordinates and autonomous system of
//! an address, from MaxMind DB files (GeoLite2 / GeoIP2 City or Country,
//! and an ASN database as a second file).
//!
//! Lookups happen after the merge, once per distinct address a detector or
//! the report asks about; nothing here runs on the hot path.

use crate::aggregate::{key_ip, IpKey};
use anyhow::{bail, Context as _, Result};
use maxminddb::{geoip2, Reader};
use std::path::Path;

/// Where an address is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Place {
    /// ISO 3166 country code (`GB`).
    pub country: Option<String>,
    /// City name (English).
    pub city: Option<String>,
    /// Latitude and longitude.
    pub coords: Option<(f64, f64)>,
    /// Autonomous system number and organisation.
    pub asn: Option<(u32, String)>,
}

impl Place {
    /// `London, GB, AS1221 Telstra` (what is known of it).
    pub fn describe(&self) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        if let Some(c) = &self.city {
            parts.push(c.clone());
        }
        if let Some(c) = &self.country {
            parts.push(c.clone());
        }
        if let Some((n, org)) = &self.asn {
            parts.push(format!("AS{n} {org}").trim_end().to_string());
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// The country as a small integer (two letters), for sets.
    pub fn country_key(&self) -> Option<u16> {
        let c = self.country.as_deref()?.as_bytes();
        (c.len() == 2).then(|| u16::from_be_bytes([c[0], c[1]]))
    }
}

/// The two letters of a [`Place::country_key`].
pub fn country_name(k: u16) -> String {
    String::from_utf8_lossy(&k.to_be_bytes()).into_owned()
}

/// The opened databases.
#[derive(Default)]
pub struct Geo {
    location: Option<Reader<Vec<u8>>>,
    asn: Option<Reader<Vec<u8>>>,
}

impl std::fmt::Debug for Geo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Geo")
            .field(
                "location",
                &self.location.as_ref().map(|r| &r.metadata.database_type),
            )
            .field("asn", &self.asn.as_ref().map(|r| &r.metadata.database_type))
            .finish()
    }
}

impl Geo {
    /// Open the databases given with `--geoip`: at most one City or Country
    /// database and one ASN database, told apart by their metadata.
    pub fn open(paths: &[impl AsRef<Path>]) -> Result<Geo> {
        let mut g = Geo::default();
        for p in paths {
            let p = p.as_ref();
            let r = Reader::open_readfile(p)
                .with_context(|| format!("{}: not a MaxMind DB (.mmdb) file", p.display()))?;
            let kind = r.metadata.database_type.to_ascii_lowercase();
            let slot = if kind.contains("asn") {
                &mut g.asn
            } else if kind.contains("city") || kind.contains("country") {
                &mut g.location
            } else {
                bail!(
                    "{}: a {} database; expected a City, Country or ASN database",
                    p.display(),
                    r.metadata.database_type
                );
            };
            if slot.is_some() {
                bail!(
                    "{}: a second {} database (give one City or Country database and one ASN database)",
                    p.display(),
                    r.metadata.database_type
                );
            }
            *slot = Some(r);
        }
        Ok(g)
    }

    /// Whether country lookups are possible.
    pub fn has_location(&self) -> bool {
        self.location.is_some()
    }

    /// Where the address is (an empty place when no database knows it).
    pub fn place(&self, k: IpKey) -> Place {
        let mut p = Place::default();
        let Some(ip) = key_ip(k) else { return p };
        if let Some(r) = &self.location {
            if let Ok(Some(c)) = r.lookup::<geoip2::City>(ip) {
                p.country = c
                    .country
                    .and_then(|c| c.iso_code)
                    .or_else(|| c.registered_country.and_then(|c| c.iso_code))
                    .map(String::from);
                p.city = c
                    .city
                    .and_then(|c| c.names)
                    .and_then(|n| n.get("en").map(|s| s.to_string()));
                p.coords = c.location.and_then(|l| Some((l.latitude?, l.longitude?)));
            }
        }
        if let Some(r) = &self.asn {
            if let Ok(Some(a)) = r.lookup::<geoip2::Asn>(ip) {
                if let Some(n) = a.autonomous_system_number {
                    p.asn = Some((
                        n,
                        a.autonomous_system_organization.unwrap_or("").to_string(),
                    ));
                }
            }
        }
        p
    }
}

/// Great-circle distance in km (haversine).
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::ip_key;

    fn db(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/geoip")
            .join(name)
    }

    #[test]
    fn city_and_asn() {
        let g = Geo::open(&[db("GeoLite2-City-Test.mmdb"), db("GeoLite2-ASN-Test.mmdb")]).unwrap();
        let p = g.place(ip_key("81.2.69.142".parse().unwrap()));
        assert_eq!(p.country.as_deref(), Some("GB"));
        assert_eq!(p.city.as_deref(), Some("London"));
        assert!(p.coords.is_some());
        let p = g.place(ip_key("1.128.0.1".parse().unwrap()));
        assert_eq!(p.asn.as_ref().map(|a| a.0), Some(1221));
        assert_eq!(
            g.place(ip_key("10.0.0.1".parse().unwrap())),
            Place::default()
        );
        let c = Geo::open(&[db("GeoLite2-Country-Test.mmdb")]).unwrap();
        assert!(c.has_location());
        assert!(Geo::open(&[
            db("GeoLite2-City-Test.mmdb"),
            db("GeoLite2-Country-Test.mmdb")
        ])
        .is_err());
        // London to Changchun.
        let d = distance_km((51.5142, -0.0931), (43.88, 125.3228));
        assert!((7000.0..9000.0).contains(&d), "{d}");
    }
}
