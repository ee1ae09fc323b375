# The version and git revision the programs print with --version.
#
# Included from the top-level CMakeLists.txt: defines the INTERFACE target loadlens_version,
# whose include directory holds loadlens_version.h. The header is written at build time by
# running this file in script mode, so a new commit (or a dirty tree) reaches the binaries
# without configuring again; configure_file() leaves the header alone when nothing changed,
# so an unchanged revision recompiles nothing.
#
# Script mode: cmake -DSOURCE_DIR=... -DOUTPUT=... -DVERSION=... -P LoadLensVersion.cmake

function(loadlens_git_revision source_dir out_var)
  set(revision "unknown")
  find_package(Git QUIET)
  if(GIT_EXECUTABLE)
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
                    WORKING_DIRECTORY ${source_dir} RESULT_VARIABLE rc OUTPUT_VARIABLE head
                    ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(rc EQUAL 0 AND head)
      set(revision "${head}")
      execute_process(COMMAND ${GIT_EXECUTABLE} update-index -q --refresh
                      WORKING_DIRECTORY ${source_dir} OUTPUT_QUIET ERROR_QUIET)
      # Tracked files that differ from HEAD make the build "-dirty".
      execute_process(COMMAND ${GIT_EXECUTABLE} diff-index --quiet HEAD --
                      WORKING_DIRECTORY ${source_dir} RESULT_VARIABLE dirty ERROR_QUIET)
      if(NOT dirty EQUAL 0)
        string(APPEND revision "-dirty")
      endif()
    endif()
  endif()
  set(${out_var} "${revision}" PARENT_SCOPE)
endfunction()

if(CMAKE_SCRIPT_MODE_FILE)
  if(NOT DEFINED LOADLENS_GIT_REVISION OR LOADLENS_GIT_REVISION STREQUAL "")
    loadlens_git_revision("${SOURCE_DIR}" LOADLENS_GIT_REVISION)
  endif()
  set(LOADLENS_VERSION "${VERSION}")
  configure_file("${CMAKE_CURRENT_LIST_DIR}/loadlens_version.h.in" "${OUTPUT}" @ONLY)
  return()
endif()

# LOADLENS_GIT_REVISION may be set on the command line (e.g. by a distribution build from a
# tarball); otherwise git is asked at every build.
set(LOADLENS_GIT_REVISION "" CACHE STRING "Git revision to report instead of asking git (empty: ask git)")
set(loadlens_version_dir ${PROJECT_BINARY_DIR}/generated)
set(loadlens_version_header ${loadlens_version_dir}/loadlens_version.h)
add_custom_target(loadlens_version_header
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DOUTPUT=${loadlens_version_header}
          -DVERSION=${PROJECT_VERSION} "-DLOADLENS_GIT_REVISION=${LOADLENS_GIT_REVISION}"
          -P ${CMAKE_CURRENT_LIST_DIR}/LoadLensVersion.cmake
  BYPRODUCTS ${loadlens_version_header}
  COMMENT "" VERBATIM)
add_library(loadlens_version INTERFACE)
target_include_directories(loadlens_version INTERFACE ${loadlens_version_dir})
add_dependencies(loadlens_version loadlens_version_header)
