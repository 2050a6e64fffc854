//===- ONNXToLinalg.h - ONNX to linalg lowering patterns --------*- C++ -*-===//
//
// One populate function per pattern family; each lives in its own file in
// lib/Conversion/ONNXToLinalg.
//
//===----------------------------------------------------------------------===//

#ifndef ONNXCOMPILE_CONVERSION_ONNXTOLINALG_ONNXTOLINALG_H
#define ONNXCOMPILE_CONVERSION_ONNXTOLINALG_ONNXTOLINALG_H

#include "mlir/Transforms/DialectConversion.h"

namespace onnxc {

/// Converts tensors of unsigned integers to tensors of signless integers;
/// every other type is kept.
class ONNXTypeConverter : public mlir::TypeConverter {
public:
  ONNXTypeConverter();
};

void populateElementwisePatterns(mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void populateActivationPatterns(mlir::TypeConverter &converter,
                                mlir::RewritePatternSet &patterns);
void populateDetPatterns(mlir::TypeConverter &converter,
                         mlir::RewritePatternSet &patterns);
void populateEinsumPatterns(mlir::TypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
void populateIndexingPatterns(mlir::TypeConverter &converter,
                              mlir::RewritePatternSet &patterns);
void populateMatMulPatterns(mlir::TypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
void populateConvPatterns(mlir::TypeConverter &converter,
                          mlir::RewritePatternSet &patterns);
void populatePoolingPatterns(mlir::TypeConverter &converter,
                             mlir::RewritePatternSet &patterns);
void populateQuantizationPatterns(mlir::TypeConverter &converter,
                                  mlir::RewritePatternSet &patterns);
void populateScatterPatterns(mlir::TypeConverter &converter,
                             mlir::RewritePatternSet &patterns);
void populateGridSamplePatterns(mlir::TypeConverter &converter,
                                mlir::RewritePatternSet &patterns);
void populateRoiAlignPatterns(mlir::TypeConverter &converter,
                              mlir::RewritePatternSet &patterns);
void populateRecurrentPatterns(mlir::TypeConverter &converter,
                               mlir::RewritePatternSet &patterns);
void populateResizePatterns(mlir::TypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
void populateReductionPatterns(mlir::TypeConverter &converter,
                               mlir::RewritePatternSet &patterns);
void populateNormalizationPatterns(mlir::TypeConverter &converter,
                                   mlir::RewritePatternSet &patterns);
void populateDataMovementPatterns(mlir::TypeConverter &converter,
                                  mlir::RewritePatternSet &patterns);
/// Range, TopK, NonZero, Compress, windows: output sizes from data, checked
/// at run time.
void populateDataDependentPatterns(mlir::TypeConverter &converter,
                                   mlir::RewritePatternSet &patterns);
/// DFT and STFT.
void populateSpectralPatterns(mlir::TypeConverter &converter,
                              mlir::RewritePatternSet &patterns);
/// TfIdfVectorizer with an integer pool.
void populateTfIdfPatterns(mlir::TypeConverter &converter,
                           mlir::RewritePatternSet &patterns);
void populateConstantPatterns(mlir::TypeConverter &converter,
                              mlir::RewritePatternSet &patterns);

} // namespace onnxc

#endif // ONNXCOMPILE_CONVERSION_ONNXTOLINALG_ONNXTOLINALG_H
