#pragma once
// The outputs of one command, published together or not at all. Each output
// is written to a temporary beside its destination; commit() moves them all
// into place at the end. When anything fails first (a later output cannot be
// written, the run is cancelled, the model produces NaN), the destructor
// removes the temporaries, so no partial result is left behind and an older
// output of the same name stays as it was.
#include <string>
#include <vector>

namespace dq {

class OutputSet {
public:
    OutputSet() = default;
    OutputSet(const OutputSet&) = delete;
    OutputSet& operator=(const OutputSet&) = delete;
    ~OutputSet();

    // The path to write instead of `path`. Checks now that its folder exists
    // and is writable, so a bad second output fails before any work is done.
    std::string stage(const std::string& path);

    // A temporary folder to write instead of `folder`; on commit its files
    // move into `folder` (created if needed), replacing same-named files and
    // leaving other files there untouched. Missing parent folders are
    // created now and removed again if the set is never committed.
    std::string stageFolder(const std::string& folder);

    // Moves every staged output into place, in the order staged. Each move is
    // a rename within a folder checked when staging, so a failure here (after
    // some outputs moved) takes a change to the file system in between.
    void commit();

private:
    struct Entry {
        std::string temporary;
        std::string destination;
        bool folder = false;
    };
    std::vector<Entry> entries_;
    std::vector<std::string> createdFolders_;  // removed again unless committed
    bool committed_ = false;

    void rejectDuplicate(const std::string& destination) const;
};

}  // namespace dq
