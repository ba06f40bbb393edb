//! The regions a registry may be created in, with the numeric id Tencent gives each
//! (`RegionId` in `DescribeInstances` and `CheckInstance`): the one table of both, so the
//! regions accepted and the ids answered cannot drift apart.
//!
//! The ids are Tencent Cloud's region ids (the `RegionId` its APIs and console share, e.g.
//! 1 for Guangzhou, 4 for Shanghai, 8 for Beijing), for the public regions TCR serves.

/// `(X-TC-Region, RegionId)`, by id.
pub const REGIONS: [(&str, i64); 22] = [
    ("ap-guangzhou", 1),
    ("ap-shanghai", 4),
    ("ap-hongkong", 5),
    ("na-toronto", 6),
    ("ap-shanghai-fsi", 7),
    ("ap-beijing", 8),
    ("ap-singapore", 9),
    ("ap-shenzhen-fsi", 11),
    ("na-siliconvalley", 15),
    ("ap-chengdu", 16),
    ("eu-frankfurt", 17),
    ("ap-seoul", 18),
    ("ap-chongqing", 19),
    ("ap-mumbai", 21),
    ("na-ashburn", 22),
    ("ap-bangkok", 23),
    ("eu-moscow", 24),
    ("ap-tokyo", 25),
    ("ap-nanjing", 33),
    ("ap-beijing-fsi", 46),
    ("ap-jakarta", 72),
    ("sa-saopaulo", 74),
];

/// Tencent's id of the region `name`, if a registry may be created there.
pub fn region_id(name: &str) -> Option<i64> {
    REGIONS.iter().find(|(n, _)| *n == name).map(|(_, id)| *id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_are_each_unique() {
        for (i, (name, id)) in REGIONS.iter().enumerate() {
            assert!(REGIONS[i + 1..].iter().all(|(n, d)| n != name && d != id));
            assert!(crate::registries::check_region(name).is_ok(), "{name}");
        }
        assert_eq!(region_id("ap-guangzhou"), Some(1));
        assert_eq!(region_id("ap-nowhere"), None);
        assert_eq!(region_id(""), None);
    }
}
