//! Grams of CO2e per page view from the bytes transferred, by the Sustainable Web Design model v4
//! as the Green Web Foundation's CO2.js implements it (`sustainable-web-design-v4.js`,
//! constants `SWDV4` in `src/constants/index.js`; https://sustainablewebdesign.org/estimating-digital-emissions/).
//! With CO2.js's defaults every view is a first view and no host is assumed green.

/// Operational energy per gigabyte, kWh: data centre 0.055, network 0.059, user device 0.080.
const OPERATIONAL_KWH_PER_GB: f64 = 0.055 + 0.059 + 0.080;
/// Embodied energy per gigabyte, kWh: data centre 0.012, network 0.013, user device 0.081.
const EMBODIED_KWH_PER_GB: f64 = 0.012 + 0.013 + 0.081;
/// Global average grid intensity, g CO2e per kWh (`SWDV4.GLOBAL_GRID_INTENSITY`).
const GLOBAL_GRID_INTENSITY: f64 = 494.0;
/// CO2.js divides by a decimal gigabyte (`fileSize.GIGABYTE`).
const BYTES_PER_GB: f64 = 1_000_000_000.0;

/// Estimated grams of CO2e for one view transferring `bytes`.
pub(crate) fn grams_per_view(bytes: u64) -> f64 {
    let gb = bytes as f64 / BYTES_PER_GB;
    gb * (OPERATIONAL_KWH_PER_GB + EMBODIED_KWH_PER_GB) * GLOBAL_GRID_INTENSITY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_gigabyte_matches_co2_js() {
        // 0.3 kWh/GB × 494 g/kWh = 148.2 g, CO2.js's perByte(1e9) with SWD v4.
        assert!((grams_per_view(1_000_000_000) - 148.2).abs() < 1e-9);
        assert!((grams_per_view(100_000) - 0.01482).abs() < 1e-9);
        assert_eq!(grams_per_view(0), 0.0);
    }
}
