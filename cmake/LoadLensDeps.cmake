# Third-party libraries of core/, each behind one INTERFACE target loadlens_dep_<name>.
#
# A target that sets the property LOADLENS_STATIC_LINK (loadlens-cli, see app/cli) links the
# static archives Debian's -dev packages ship; every other target links the shared libraries.
# The choice is made per linking (head) target by $<TARGET_PROPERTY:LOADLENS_STATIC_LINK>, so
# core is compiled once for both.
find_package(SQLite3 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(EXPAT REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBYAML REQUIRED IMPORTED_TARGET yaml-0.1)
pkg_check_modules(LIBREGF REQUIRED IMPORTED_TARGET libregf)
# POSIX ACLs decide who may write a path as much as the mode bits do, so libacl is required.
find_library(ACL_LIBRARY acl)
find_path(ACL_INCLUDE_DIR sys/acl.h)
if(NOT ACL_LIBRARY OR NOT ACL_INCLUDE_DIR)
  message(FATAL_ERROR "libacl not found (sys/acl.h and libacl.so): install the Debian package libacl1-dev")
endif()

# spdlog and fmt header-only: no libspdlog or libfmt is needed at run time, and a static
# loadlens-cli needs no archive Debian does not ship.
find_package(spdlog REQUIRED)
add_library(loadlens_spdlog INTERFACE)
target_compile_definitions(loadlens_spdlog INTERFACE SPDLOG_FMT_EXTERNAL)
target_link_libraries(loadlens_spdlog INTERFACE fmt::fmt-header-only Threads::Threads)

set(_static "$<BOOL:$<TARGET_PROPERTY:LOADLENS_STATIC_LINK>>")
set(LOADLENS_STATIC_ARCHIVES_FOUND ON)
# loadlens_dependency(NAME SHARED target-or-library [INCLUDE dir] STATIC archive-name...)
function(loadlens_dependency name)
  cmake_parse_arguments(ARG "" "SHARED;INCLUDE" "STATIC" ${ARGN})
  add_library(loadlens_dep_${name} INTERFACE)
  target_link_libraries(loadlens_dep_${name} INTERFACE "$<$<NOT:${_static}>:${ARG_SHARED}>")
  if(ARG_INCLUDE)
    target_include_directories(loadlens_dep_${name} INTERFACE ${ARG_INCLUDE})
  elseif(TARGET ${ARG_SHARED})
    target_include_directories(loadlens_dep_${name} INTERFACE
      $<TARGET_PROPERTY:${ARG_SHARED},INTERFACE_INCLUDE_DIRECTORIES>)
  endif()
  foreach(archive ${ARG_STATIC})
    string(MAKE_C_IDENTIFIER "LOADLENS_ARCHIVE_${archive}" var)
    find_library(${var} NAMES ${archive})
    if(NOT ${var})
      set(LOADLENS_STATIC_ARCHIVES_FOUND OFF PARENT_SCOPE)
      message(STATUS "static archive ${archive} not found: loadlens-cli is linked dynamically")
      continue()
    endif()
    target_link_libraries(loadlens_dep_${name} INTERFACE "$<${_static}:${${var}}>")
  endforeach()
endfunction()

loadlens_dependency(sqlite SHARED SQLite::SQLite3 STATIC libsqlite3.a libm.a)
# libssl before libcrypto: a static link resolves libssl's references in the archives after it.
loadlens_dependency(ssl SHARED OpenSSL::SSL STATIC libssl.a)
loadlens_dependency(crypto SHARED OpenSSL::Crypto STATIC libcrypto.a)
loadlens_dependency(zlib SHARED ZLIB::ZLIB STATIC libz.a)
loadlens_dependency(expat SHARED EXPAT::EXPAT STATIC libexpat.a)
loadlens_dependency(yaml SHARED PkgConfig::LIBYAML STATIC libyaml.a)
loadlens_dependency(regf SHARED PkgConfig::LIBREGF STATIC libregf.a libbfio.a)
loadlens_dependency(acl SHARED ${ACL_LIBRARY} INCLUDE ${ACL_INCLUDE_DIR} STATIC libacl.a)
