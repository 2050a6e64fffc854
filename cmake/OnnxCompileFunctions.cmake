# onnx_compile_model(): compile an ONNX model at build time into an object
# file and a C header, wrapped in a library target to link with.
#
#   onnx_compile_model(<target> <model.onnx>
#                      [NAME ident]            # C prefix: ident_run(), ident.h
#                      [TARGET x86_64|aarch64|riscv64|armv7em|nvptx64|host]
#                      [MCPU cpu]
#                      [OPT O0|O1|O2|O3]
#                      [SHAPES input:1x3x224x224 ...]
#                      [OPTIONS option ...]    # more onnx-compile options
#                      [DEPENDS file ...]      # e.g. the model's external data
#                      [OUTPUT_DIRECTORY dir])
#
# Writes <dir>/<NAME>.o and <dir>/<NAME>.h, <dir> defaulting to
# ${CMAKE_CURRENT_BINARY_DIR}/onnx-compile/<target>, whenever the model, a
# DEPENDS file or the compiler changes. <target> is a static library of the
# object; linking it gives the header's directory and, where the C library
# keeps them apart, libm (ONNX_COMPILE_MATH_LIBRARY overrides it; "" for
# none).
#
# TARGET defaults to the host (the compiler's default: the host's CPU and
# features) in a native build, and follows CMAKE_SYSTEM_PROCESSOR when
# cross-compiling: aarch64/arm64 -> aarch64, riscv64 -> riscv64,
# arm*/thumb*/cortex-m* -> armv7em, x86_64/amd64 -> x86_64 (a generic
# x86-64 CPU).
#
# TARGET nvptx64 (MCPU sm_80, sm_90...) compiles for an NVIDIA GPU
# (docs/gpu.md); the library then links the runtime's CUDA shim,
# OnnxCompile::cuda, and through it -lcuda.
#
# The target's properties ONNX_COMPILE_NAME, ONNX_COMPILE_TARGET,
# ONNX_COMPILE_HEADER and ONNX_COMPILE_OBJECT describe what it holds.

include_guard(GLOBAL)

# The onnx-compile -target for a CMAKE_SYSTEM_PROCESSOR; empty if none fits.
function(_onnx_compile_target_for_processor out processor)
  string(TOLOWER "${processor}" p)
  set(target "")
  if(p MATCHES "^(x86_64|amd64|x64)$")
    set(target x86_64)
  elseif(p MATCHES "^(aarch64|arm64)$")
    set(target aarch64)
  elseif(p MATCHES "^riscv64")
    set(target riscv64)
  elseif(p MATCHES "^(arm|thumb|cortex-m)")
    set(target armv7em)
  endif()
  set(${out} "${target}" PARENT_SCOPE)
endfunction()

function(onnx_compile_model target model)
  cmake_parse_arguments(PARSE_ARGV 2 ARG ""
    "NAME;TARGET;MCPU;OPT;OUTPUT_DIRECTORY" "SHAPES;OPTIONS;DEPENDS")
  set(fn "onnx_compile_model(${target})")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${fn}: unexpected arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(ARG_KEYWORDS_MISSING_VALUES)
    message(FATAL_ERROR "${fn}: no value for ${ARG_KEYWORDS_MISSING_VALUES}")
  endif()

  # The compiler: ONNX_COMPILE_EXECUTABLE where the caller sets it, else the
  # package's.
  if(ONNX_COMPILE_EXECUTABLE)
    set(exe "${ONNX_COMPILE_EXECUTABLE}")
  else()
    get_property(exe GLOBAL PROPERTY ONNX_COMPILE_PACKAGE_EXECUTABLE)
  endif()
  if(NOT exe)
    message(FATAL_ERROR "${fn}: no compiler; call find_package(OnnxCompile) or set ONNX_COMPILE_EXECUTABLE")
  endif()
  if(TARGET "${exe}")
    # A compiler built by this project. Its path, not its name: a target
    # name in COMMAND would run under CMAKE_CROSSCOMPILING_EMULATOR.
    set(exe_depends "${exe}")
    set(exe "$<TARGET_FILE:${exe}>")
  else()
    set(exe_depends "${exe}")
  endif()

  get_filename_component(model "${model}" ABSOLUTE
    BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  get_filename_component(model_file "${model}" NAME)
  get_source_file_property(model_generated "${model}" GENERATED)
  if(NOT EXISTS "${model}" AND NOT model_generated)
    message(FATAL_ERROR "${fn}: ${model} does not exist")
  endif()

  if(DEFINED ARG_NAME)
    set(name "${ARG_NAME}")
  else()
    get_filename_component(name "${model}" NAME_WLE)
    string(MAKE_C_IDENTIFIER "${name}" name)
  endif()
  if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "${fn}: NAME '${name}' is not a C identifier")
  endif()

  set(args "")
  if(DEFINED ARG_TARGET)
    set(target_name "${ARG_TARGET}")
    if(NOT target_name MATCHES "^(x86_64|aarch64|riscv64|armv7em|nvptx64|host)$")
      message(FATAL_ERROR "${fn}: TARGET '${target_name}' is not one of x86_64, aarch64, riscv64, armv7em, nvptx64, host")
    endif()
  elseif(CMAKE_CROSSCOMPILING)
    _onnx_compile_target_for_processor(target_name "${CMAKE_SYSTEM_PROCESSOR}")
    if(NOT target_name)
      message(FATAL_ERROR "${fn}: cross-compiling for CMAKE_SYSTEM_PROCESSOR '${CMAKE_SYSTEM_PROCESSOR}', which onnx-compile has no target for; pass TARGET x86_64|aarch64|riscv64|armv7em")
    endif()
  else()
    set(target_name host)
  endif()
  if(NOT target_name STREQUAL "host")
    list(APPEND args "-target=${target_name}")
  endif()
  if(DEFINED ARG_MCPU)
    list(APPEND args "-mcpu=${ARG_MCPU}")
  elseif(CMAKE_CROSSCOMPILING AND NOT DEFINED ARG_TARGET
         AND CMAKE_SYSTEM_PROCESSOR MATCHES "^[Cc]ortex-[Mm][47]$")
    # A toolchain that names its ARMv7E-M core names the CPU too.
    string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" cpu)
    list(APPEND args "-mcpu=${cpu}")
  endif()
  if(DEFINED ARG_OPT)
    if(NOT ARG_OPT MATCHES "^-?O?([0-3])$")
      message(FATAL_ERROR "${fn}: OPT '${ARG_OPT}' is not one of O0, O1, O2, O3")
    endif()
    list(APPEND args "-O${CMAKE_MATCH_1}")
  endif()
  foreach(shape IN LISTS ARG_SHAPES)
    if(NOT shape MATCHES ":")
      message(FATAL_ERROR "${fn}: SHAPES '${shape}' is not INPUT:DIMS (e.g. x:1x3x224x224)")
    endif()
    list(APPEND args "-shape=${shape}")
  endforeach()
  list(APPEND args ${ARG_OPTIONS})

  if(DEFINED ARG_OUTPUT_DIRECTORY)
    get_filename_component(dir "${ARG_OUTPUT_DIRECTORY}" ABSOLUTE
      BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  else()
    set(dir "${CMAKE_CURRENT_BINARY_DIR}/onnx-compile/${target}")
  endif()
  file(MAKE_DIRECTORY "${dir}")
  set(object "${dir}/${name}.o")
  set(header "${dir}/${name}.h")

  add_custom_command(
    OUTPUT "${object}" "${header}"
    COMMAND "${exe}" "${model}" -o "${object}" "-name=${name}" ${args}
    DEPENDS "${model}" "${exe_depends}" ${ARG_DEPENDS}
    COMMENT "Compiling ONNX model ${model_file} (${name}, ${target_name})"
    VERBATIM)
  set_source_files_properties("${object}" PROPERTIES
    GENERATED TRUE EXTERNAL_OBJECT TRUE)

  # An archive of the one object: the archiver needs a language to come from.
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if("C" IN_LIST languages)
    set(language C)
  elseif("CXX" IN_LIST languages)
    set(language CXX)
  else()
    message(FATAL_ERROR "${fn}: enable the C or CXX language first (project(... LANGUAGES C))")
  endif()
  add_library(${target} STATIC "${object}" "${header}")
  set_target_properties(${target} PROPERTIES
    LINKER_LANGUAGE ${language}
    ONNX_COMPILE_NAME "${name}"
    ONNX_COMPILE_TARGET "${target_name}"
    ONNX_COMPILE_HEADER "${header}"
    ONNX_COMPILE_OBJECT "${object}")
  target_include_directories(${target} INTERFACE "$<BUILD_INTERFACE:${dir}>")

  # expf, tanhf, ... come from libm where the C library keeps it apart.
  if(DEFINED ONNX_COMPILE_MATH_LIBRARY)
    set(libm "${ONNX_COMPILE_MATH_LIBRARY}")
  elseif(UNIX OR CMAKE_SYSTEM_NAME STREQUAL "Generic")
    set(libm m)
  else()
    set(libm "")
  endif()
  if(libm)
    target_link_libraries(${target} INTERFACE ${libm})
  endif()
  # A GPU model's launches go through the runtime's CUDA shim.
  if(target_name STREQUAL "nvptx64")
    if(NOT TARGET OnnxCompile::cuda)
      message(FATAL_ERROR "${fn}: TARGET nvptx64 needs the runtime's CUDA shim (OnnxCompile::cuda: enable C; POSIX threads)")
    endif()
    target_link_libraries(${target} INTERFACE OnnxCompile::cuda)
  endif()
endfunction()
