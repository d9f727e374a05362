# The torch-free sources that turn file text into settings: the input
# validation layer and the parsers built on it. Shared by core/ (library
# dq_formats) and tests/fuzz (compiled with sanitizers).
set(DQ_FORMAT_SOURCES
  core/validation/message_text.cpp
  core/validation/bounded_json.cpp
  core/validation/json_fields.cpp
  core/validation/resource_limits.cpp
  core/io/safetensors_format.cpp
  core/io/idx_format.cpp
  core/model/model_summary.cpp
  core/model/unet_config.cpp
  core/sampling/scheduler_config.cpp
  core/training/train_config.cpp
  core/quant/quant_plan.cpp
  core/quant/artifact_record.cpp
  core/quant/calibration_data_format.cpp
  core/analysis/sensitivity_report.cpp
  core/analysis/bit_allocation.cpp
)
list(TRANSFORM DQ_FORMAT_SOURCES PREPEND ${PROJECT_SOURCE_DIR}/)
