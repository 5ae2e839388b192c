# Shared settings and helpers for Pairtune's targets.

# Warnings for our own code only (LibTorch's headers are included as system headers).
function(pairtune_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()

# pairtune_add_test(NAME SOURCES a.cpp b.cpp LIBS lib... [LABELS unit slow ...] [ENV VAR=VALUE ...])
# Suites that use the probes in tests/common list pairtune_test_support in LIBS.
# One Qt Test executable per suite; the working directory is the build's test folder so suites can
# write scratch files there; QT_QPA_PLATFORM is offscreen for every suite.
function(pairtune_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS;ENV" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} Qt6::Core Qt6::Test)
  # The shared helpers in tests/common, included by name ("processrun.h"), never by a relative path.
  if(TARGET pairtune_test_common)
    target_link_libraries(${name} PRIVATE pairtune_test_common)
  endif()
  target_compile_definitions(${name} PRIVATE
    PAIRTUNE_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data"
    PAIRTUNE_CLI_PATH="$<TARGET_FILE:pairtune-cli>")
  pairtune_target_defaults(${name})
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set_target_properties(${name} PROPERTIES AUTOMOC ON)
  if(PAIRTUNE_SANITIZE)
    # Sanitized builds: stop at the first report with a stack (also when ctest is run by hand).
    list(PREPEND ARG_ENV "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
    # Instrumented code runs 2-3x slower; the limits are there to catch hangs, not to time the suites.
    math(EXPR ARG_TIMEOUT "${ARG_TIMEOUT} * 3")
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;${ARG_ENV}")
endfunction()
