#pragma once
// One exception type for every user-facing failure in the core library.
// Its message is a complete sentence meant for the user: what failed, which
// file/key/value, and what to do. Front ends print it as-is.
#include <stdexcept>
#include <string>

namespace dq {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Thrown when a cancel callback asked a long operation to stop.
class Cancelled : public Error {
public:
    Cancelled() : Error("The operation was cancelled.") {}
};

}  // namespace dq
