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

set(CPACK_PACKAGE_NAME "diffquant-studio")
set(CPACK_PACKAGE_VENDOR "DiffQuant Studio developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "DiffQuant Studio developers <dev@diffquant.invalid>")
set(CPACK_GENERATOR "DEB")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Runtime libraries, resolved from the binaries' NEEDED entries.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
