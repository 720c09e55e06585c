//! Compile-time and round-trip guarantees of the public API.

use fankui::*;

/// Fails to compile if a public type stops being `Send + Sync`.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Analyzer>();
    send_sync::<Normalizer>();
    send_sync::<TranscriptCleaner>();
    send_sync::<ClauseSplitter>();
    send_sync::<Segmenter>();
    send_sync::<QualityChecker>();
    send_sync::<DuplicateIndex>();
    send_sync::<Classifier>();
    send_sync::<Model>();
    send_sync::<PipelineConfig>();
    send_sync::<Analysis>();
    send_sync::<Error>();
};

#[test]
fn pipeline_config_round_trips_through_json() {
    let config = PipelineConfig::default()
        .with_voice_mode(true)
        .with_max_chars(123)
        .with_classify(ClassifyOptions::default().with_custom_topic("新品反馈", ["新出的鸡腿堡", "新品好吃吗"]));
    let json = serde_json::to_string_pretty(&config).unwrap();
    let back: PipelineConfig = serde_json::from_str(&json).unwrap();
    assert_eq!(back, config);
}

#[test]
fn unknown_config_keys_are_refused() {
    let err = serde_json::from_str::<PipelineConfig>(r#"{"max_chars": 5, "max_charz": 6}"#).unwrap_err();
    assert!(err.to_string().contains("max_charz"), "{err}");
}

#[test]
fn zero_max_chars_is_refused() {
    let err = Analyzer::new(PipelineConfig::text_only().with_max_chars(0)).err().unwrap();
    assert!(matches!(err, Error::InvalidOption { option: "max_chars", .. }));
}
