# One INTERFACE target carries the language standard, warnings and sanitizer flags for every
# LoadLens target; ui targets add loadlens_qt_config for the Qt strictness macros.
add_library(loadlens_config INTERFACE)
target_compile_features(loadlens_config INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)
target_compile_options(loadlens_config INTERFACE -Wall -Wextra -Wpedantic)
if(LOADLENS_WERROR)
  target_compile_options(loadlens_config INTERFACE -Werror)
endif()
target_compile_definitions(loadlens_config INTERFACE _FILE_OFFSET_BITS=64 _GNU_SOURCE)
# The hardening flags of Debian's dpkg-buildflags (hardening=+all): stack protector, fortified
# libc calls, format checks, full RELRO with immediate binding. scripts/package.sh turns it on.
option(LOADLENS_HARDENING "Compile and link with Debian's hardening flags (for packages)" OFF)
if(LOADLENS_HARDENING)
  target_compile_options(loadlens_config INTERFACE -fstack-protector-strong -Wformat -Werror=format-security)
  # _FORTIFY_SOURCE needs optimisation; a Debug build would only warn about it.
  target_compile_definitions(loadlens_config INTERFACE $<$<NOT:$<CONFIG:Debug>>:_FORTIFY_SOURCE=2>)
  target_link_options(loadlens_config INTERFACE LINKER:-z,relro LINKER:-z,now)
endif()
# Debug information is compressed (zlib): the test programs of a build with debug information
# take less than half the disk, and gdb, addr2line and the sanitizers' symbolizer read it as before.
target_compile_options(loadlens_config INTERFACE $<$<CONFIG:Debug,RelWithDebInfo>:-gz>)
target_link_options(loadlens_config INTERFACE $<$<CONFIG:Debug,RelWithDebInfo>:-gz>)
if(LOADLENS_SHARED_LIBS)
  set(LOADLENS_LIBRARY_KIND SHARED)
else()
  set(LOADLENS_LIBRARY_KIND STATIC)
endif()
if(LOADLENS_SANITIZE)
  target_compile_options(loadlens_config INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(loadlens_config INTERFACE -fsanitize=address,undefined)
endif()

add_library(loadlens_qt_config INTERFACE)
target_link_libraries(loadlens_qt_config INTERFACE loadlens_config)
target_compile_definitions(loadlens_qt_config INTERFACE
  QT_NO_CAST_FROM_ASCII QT_NO_NARROWING_CONVERSIONS_IN_CONNECT QT_USE_QSTRINGBUILDER
  QT_NO_URL_CAST_FROM_STRING QT_NO_CAST_TO_ASCII)

# loadlens_add_core_library(NAME SOURCES... [LIBS ...]): a Qt-free library for one core/ folder,
# static unless LOADLENS_SHARED_LIBS.
function(loadlens_add_core_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name} ${LOADLENS_LIBRARY_KIND} ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/core)
  target_link_libraries(${name} PUBLIC loadlens_config ${ARG_LIBS})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
