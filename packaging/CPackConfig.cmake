# Desktop integration files and a Debian package (cpack -G DEB).
if(DQ_WITH_GUI)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/io.github.diffquant.Studio.desktop
          DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/io.github.diffquant.Studio.metainfo.xml
          DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/diffquant.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
          RENAME io.github.diffquant.Studio.svg)
endif()
# The shipped model, when present in the source tree.
if(EXISTS ${PROJECT_SOURCE_DIR}/resources/models)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/models/ DESTINATION ${DQ_INSTALL_DATADIR}/models
          PATTERN checkpoint EXCLUDE)
endif()

# Debian policy files: copyright, and the changelog gzipped at build time.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/debian/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/diffquant-studio)
set(dq_changelog_gz ${CMAKE_BINARY_DIR}/changelog.gz)
add_custom_command(OUTPUT ${dq_changelog_gz}
  COMMAND gzip -9n -c ${PROJECT_SOURCE_DIR}/packaging/debian/changelog > ${dq_changelog_gz}
  DEPENDS ${PROJECT_SOURCE_DIR}/packaging/debian/changelog)
add_custom_target(debian-changelog ALL DEPENDS ${dq_changelog_gz})
install(FILES ${dq_changelog_gz} DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/diffquant-studio)

set(CPACK_PACKAGE_NAME "diffquant-studio")
set(CPACK_PACKAGE_VENDOR "DiffQuant Studio developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION "DiffQuant Studio quantizes image diffusion models (diffusers UNet2DModel
folders) to 8 and 4 bits with the methods of PTQ4DM, Q-Diffusion and PCR:
per-layer bit-widths, range calibration on the model's own sampling
trajectory, GPTQ and AdaRound block reconstruction, learned activation step
sizes and progressive calibration. The explorer window shows what
quantization does to each layer's activations at each timestep and compares
full-precision and quantized generations from the same noise; the diffquant
command line runs the same engine. A small class-conditional Fashion-MNIST
model is included.")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
# Installed binaries carry no debug information (lintian: unstripped-binary).
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CONTACT "DiffQuant Studio developers <dev@diffquant.invalid>")
set(CPACK_GENERATOR "DEB")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Packages install into /usr; the binaries find their data relative to
# themselves, so the prefix is not compiled in (core/runtime/install_layout.h).
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
# Runtime libraries, resolved from the binaries' NEEDED entries ...
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# ... plus what NEEDED cannot tell. LibTorch links libblas.so.3, which any BLAS
# satisfies; the reference BLAS makes matrix products ~60x slower, so OpenBLAS
# is a hard dependency (the log still warns if the alternative points
# elsewhere). Fashion-MNIST is needed by eval, train and the real-data floor
# but not to sample or calibrate, hence Recommends.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-pthread")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "dataset-fashion-mnist")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/diffquant/diffquant-studio")
include(CPack)
