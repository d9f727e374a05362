# Man pages generated from the programs' own --help at build time
# (packaging/make-man-pages.sh, help2man) and installed into man1.
find_program(HELP2MAN_PROGRAM help2man)
if(HELP2MAN_PROGRAM)
  set(DQ_MAN_DIR ${CMAKE_BINARY_DIR}/man)
  set(dq_man_programs $<TARGET_FILE:diffquant>)
  set(dq_man_depends diffquant)
  if(DQ_WITH_GUI)
    list(APPEND dq_man_programs $<TARGET_FILE:diffquant-studio>)
    list(APPEND dq_man_depends diffquant-studio)
  endif()
  add_custom_command(OUTPUT ${DQ_MAN_DIR}/diffquant.1.gz
    COMMAND bash ${PROJECT_SOURCE_DIR}/packaging/make-man-pages.sh ${DQ_MAN_DIR} ${PROJECT_VERSION} ${dq_man_programs}
    DEPENDS ${dq_man_depends} ${PROJECT_SOURCE_DIR}/packaging/make-man-pages.sh
    COMMENT "Generating man pages from the programs' --help"
    VERBATIM)
  add_custom_target(man-pages ALL DEPENDS ${DQ_MAN_DIR}/diffquant.1.gz)
  install(DIRECTORY ${DQ_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(WARNING "help2man not found: no man pages are built or installed (apt install help2man)")
endif()
