# mmemu_add_native_driver(NAME SOURCES src.c...)
#
# Builds a native MM driver: an ELF shared object (NAME.so) compiled against
# mmemu's PI headers, which the mmemu loader dlopens. The driver describes
# itself with MMEMU_MODULE() from <mmemu/native-driver.h>: name, file GUID,
# module type, DEPEX and entry point, kept in the .mmemu_module section.
function(mmemu_add_native_driver name)
  cmake_parse_arguments(D "" "" "SOURCES" ${ARGN})
  add_library(${name} MODULE ${D_SOURCES})
  if(TARGET mmemu_pi_guids)
    target_link_libraries(${name} PRIVATE mmemu_pi_guids)
  else()
    target_link_libraries(${name} PRIVATE mmemu::mmemu_pi_guids)
  endif()
  set_target_properties(${name} PROPERTIES PREFIX "" SUFFIX ".so"
                        C_VISIBILITY_PRESET hidden POSITION_INDEPENDENT_CODE ON)
  # -DMMEMU_NATIVE_COVERAGE=ON: gcov counters in the driver; its .gcda files
  # are written when mmemu unloads it (docs/debugging.md, "## Coverage").
  if(MMEMU_NATIVE_COVERAGE)
    target_compile_options(${name} PRIVATE --coverage)
    target_link_options(${name} PRIVATE --coverage)
  endif()
endfunction()
