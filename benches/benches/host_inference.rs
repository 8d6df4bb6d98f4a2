//! Host int8 inference with `tinytransfer-core`'s portable kernels, one thread: each layer and
#![allow(missing_docs)] // criterion_group! and criterion_main! generate undocumented items
//! the whole network, in images per second.
//!
//! The image is a real-looking digit stroke; the kernels' cost does not depend on the values.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tinytransfer_core::shapes::{IMAGE_PIXELS, IMAGE_WIDTH};
use tinytransfer_core::{FeatureExtractor, Head, Model, Scratch};
use tinytransfer_tests::blobs::Blobs;
use tinytransfer_tests::paths::default_blob_dir;

fn stroke() -> [u8; IMAGE_PIXELS] {
    let mut image = [0u8; IMAGE_PIXELS];
    for y in 4..24 {
        image[y * IMAGE_WIDTH + 10 + y / 3] = 255;
        image[y * IMAGE_WIDTH + 11 + y / 3] = 180;
    }
    image
}

fn host_inference(c: &mut Criterion) {
    let blobs = Blobs::read(&default_blob_dir()).expect("blobs to benchmark");
    let features = FeatureExtractor::load(&blobs.features).expect("valid feature extractor");
    let head = Head::load(&blobs.head).expect("valid head");
    let model = Model::new(&features, &head).expect("a matching pair");
    let image = stroke();
    let mut scratch = Box::new(Scratch::new());

    let mut group = c.benchmark_group("host_int8");
    group.throughput(Throughput::Elements(1));
    group.bench_function("network", |b| {
        b.iter(|| model.classify(black_box(&image), &mut scratch))
    });
    group.bench_function("conv1", |b| {
        b.iter(|| model.conv1(black_box(&image), &mut scratch))
    });
    group.bench_function("conv2_pool", |b| {
        b.iter(|| model.conv2_pool(black_box(&mut scratch)))
    });
    group.bench_function("dense1", |b| {
        b.iter(|| model.dense1(black_box(&mut scratch)))
    });
    group.bench_function("dense2", |b| b.iter(|| model.dense2(black_box(&scratch))));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = host_inference
}
criterion_main!(benches);
