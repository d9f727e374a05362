#pragma once
// Saves a model's interception state (interceptor, unit observer, step
// context) and restores it when the scope ends, however it ends (cancel,
// error), so a calibration pass never leaves its observers installed.
#include "core/model/denoiser.h"

namespace dq {

class ModelStateGuard {
public:
    explicit ModelStateGuard(Denoiser& model)
        : model_(model), interceptor_(model.interceptor()), observer_(model.unitObserver()), step_(model.step()) {}
    ~ModelStateGuard() {
        model_.setInterceptor(interceptor_);
        model_.setUnitObserver(observer_);
        model_.setStep(step_);
    }
    ModelStateGuard(const ModelStateGuard&) = delete;
    ModelStateGuard& operator=(const ModelStateGuard&) = delete;

private:
    Denoiser& model_;
    Interceptor* interceptor_;
    UnitObserver* observer_;
    StepContext step_;
};

}  // namespace dq
