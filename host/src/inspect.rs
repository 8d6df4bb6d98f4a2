//! The `inspect` command: what a blob holds, read without trusting it.
//!
//! The envelope is read first and the checksum reported rather than enforced, so a damaged
//! blob still shows what it claims to be; the full validation of `tinytransfer-core` then says
//! whether the blob would load.

use std::fmt::Write;

use tinytransfer_core::format::{Contents, Envelope, LayerBlob};
use tinytransfer_core::model::{FeatureExtractor, Head};
use tinytransfer_core::QuantParams;

/// A human-readable description of `bytes` (the contents of the file `name`).
pub fn describe(name: &str, bytes: &[u8]) -> String {
    let mut text = format!("{name}: {} bytes\n", bytes.len());
    let envelope = match Envelope::read(bytes) {
        Ok(envelope) => envelope,
        Err(error) => {
            let _ = writeln!(text, "  not readable: {error}");
            return text;
        }
    };

    let crc = if envelope.checksum_ok() {
        format!("ok ({:#010x})", envelope.stored_crc)
    } else {
        format!(
            "MISMATCH (stored {:#010x}, contents give {:#010x})",
            envelope.stored_crc, envelope.computed_crc
        )
    };
    let _ = writeln!(text, "  format version {}, CRC-32 {crc}", envelope.version);

    match envelope.contents() {
        Ok(Contents::FeatureExtractor(blob)) => {
            let _ = writeln!(text, "  kind: feature extractor (shared by every task)");
            let _ = writeln!(text, "  input: {}", quant(blob.input));
            layer(&mut text, "conv1", &blob.conv1);
            layer(&mut text, "conv2", &blob.conv2);
            let _ = writeln!(text, "  max-pool {0}×{0}", blob.pool);
        }
        Ok(Contents::Head(blob)) => {
            let _ = writeln!(
                text,
                "  kind: head for task {:?}, labels {:?}",
                blob.task, blob.labels
            );
            let _ = writeln!(
                text,
                "  pairs with feature extractor CRC {:#010x}",
                blob.features_crc
            );
            let _ = writeln!(text, "  input: {}", quant(blob.input));
            layer(&mut text, "dense1", &blob.dense1);
            layer(&mut text, "dense2", &blob.dense2);
        }
        Err(error) => {
            let _ = writeln!(text, "  contents not decodable: {error}");
        }
    }

    let verdict = match FeatureExtractor::load(bytes).map(|_| ()) {
        Ok(()) => Ok(()),
        Err(feature_error) => match Head::load(bytes) {
            Ok(_) => Ok(()),
            Err(head_error) => Err((feature_error, head_error)),
        },
    };
    match verdict {
        Ok(()) => text.push_str("  validation: loads in tinytransfer-core\n"),
        Err((as_features, as_head)) => {
            let _ = writeln!(
                text,
                "  validation: REFUSED (as features: {as_features}; as a head: {as_head})"
            );
        }
    }
    text
}

fn layer(text: &mut String, name: &str, blob: &LayerBlob<'_>) {
    let _ = writeln!(
        text,
        "  {name}: {} out × {}×{} kernel × {} in, weights {} B, bias {} B, {}output {}",
        blob.out_channels,
        blob.kernel_height,
        blob.kernel_width,
        blob.in_channels,
        blob.weights.len(),
        blob.bias.len(),
        if blob.relu { "ReLU, " } else { "" },
        quant(blob.output)
    );
}

fn quant(params: QuantParams) -> String {
    format!(
        "scale {:.6e}, zero point {}",
        params.scale, params.zero_point
    )
}
