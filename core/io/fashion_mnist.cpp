#include "core/io/fashion_mnist.h"

#include <cstdlib>
#include <cstring>
#include <vector>

#include <torch/torch.h>
#include <zlib.h>

#include "core/errors.h"
#include "core/io/idx_format.h"

namespace dq {

namespace {

constexpr const char* kClassNames[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                         "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

bool fileExists(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (f) std::fclose(f);
    return f != nullptr;
}

// Finds "<stem>" or "<stem>.gz" in dir.
std::string locate(const std::string& dir, const std::string& stem) {
    for (const std::string& candidate : {dir + "/" + stem + ".gz", dir + "/" + stem})
        if (fileExists(candidate)) return candidate;
    throw Error("Fashion-MNIST file '" + stem + "' was not found in '" + dir +
                "'. Install it with 'apt-get install dataset-fashion-mnist', or point "
                "--data-dir / DIFFQUANT_FASHION_MNIST at a folder holding the IDX files.");
}

// gzread reads plain files transparently, so one path serves both.
std::vector<unsigned char> readAll(const std::string& path) {
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file) throw Error("Cannot open '" + path + "'.");
    std::vector<unsigned char> bytes;
    unsigned char buffer[1 << 16];
    int n = 0;
    // Fashion-MNIST's largest file is 47 MB; a gzip "bomb" must not fill memory.
    constexpr std::size_t kMaxBytes = std::size_t{1} << 30;
    while ((n = gzread(file, buffer, sizeof buffer)) > 0) {
        bytes.insert(bytes.end(), buffer, buffer + n);
        if (bytes.size() > kMaxBytes) {
            gzclose(file);
            throw Error("'" + path + "' unpacks to more than 1 GiB, far beyond any IDX file of Fashion-MNIST; it is "
                        "not such a file.");
        }
    }
    const bool failed = n < 0;
    gzclose(file);
    if (failed) throw Error("'" + path + "' is not a readable gzip/IDX file; reinstall dataset-fashion-mnist.");
    return bytes;
}

// Reads an IDX file of unsigned bytes with the expected number of dimensions.
torch::Tensor parseIdx(const std::string& path, int expectedDims) {
    const std::vector<unsigned char> bytes = readAll(path);
    const idx::Header header = idx::parseHeader(bytes.data(), bytes.size(), expectedDims, path);
    torch::Tensor tensor = torch::empty(header.shape, torch::kUInt8);
    std::memcpy(tensor.data_ptr(), bytes.data() + header.dataOffset, static_cast<std::size_t>(header.count));
    return tensor;
}

}  // namespace

std::string defaultFashionMnistDir() {
    if (const char* env = std::getenv("DIFFQUANT_FASHION_MNIST"); env && *env) return env;
    return "/usr/share/datasets/fashion-mnist";
}

const char* fashionMnistClassName(int label) {
    return label >= 0 && label < 10 ? kClassNames[label] : "unknown";
}

ImageDataset loadFashionMnist(DatasetSplit split, const std::string& dir, bool pad32) {
    const std::string folder = dir.empty() ? defaultFashionMnistDir() : dir;
    const std::string prefix = split == DatasetSplit::Train ? "train" : "t10k";
    const std::string imagePath = locate(folder, prefix + "-images-idx3-ubyte");
    const std::string labelPath = locate(folder, prefix + "-labels-idx1-ubyte");

    torch::Tensor images = parseIdx(imagePath, 3);
    torch::Tensor labels = parseIdx(labelPath, 1);
    if (images.size(0) != labels.size(0))
        throw Error("'" + imagePath + "' holds " + std::to_string(images.size(0)) + " images but '" + labelPath +
                    "' holds " + std::to_string(labels.size(0)) + " labels.");

    if (images.size(1) != 28 || images.size(2) != 28)
        throw Error("'" + imagePath + "' holds images of " + std::to_string(images.size(1)) + "x" +
                    std::to_string(images.size(2)) + " pixels; Fashion-MNIST's are 28x28. Reinstall dataset-fashion-mnist.");
    if (labels.numel() > 0 && labels.max().item<int>() > 9)
        throw Error("'" + labelPath + "' holds a label above 9; Fashion-MNIST has 10 classes. Reinstall dataset-fashion-mnist.");
    ImageDataset data;
    data.images = images.unsqueeze(1).to(torch::kFloat32).div_(127.5).sub_(1.0);
    if (pad32) data.images = torch::constant_pad_nd(data.images, {2, 2, 2, 2}, -1.0);
    data.labels = labels.to(torch::kInt64);
    return data;
}

}  // namespace dq
