<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>QObject</name>
    <message>
        <location filename="../widgets/progress_status.cpp" line="+15"/>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
</context>
<context>
    <name>dq::gui::AllocateDialog</name>
    <message>
        <location filename="../app/gui/allocate_dialog.cpp" line="+112"/>
        <source>Allocate weight widths</source>
        <translation>分配权重位宽</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Apply to the plan</source>
        <translation>应用到方案</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Average weight width, weighted by each site&apos;s weight count</source>
        <translation>平均权重位宽（按各位置的权重数加权）</translation>
    </message>
    <message>
        <location line="-19"/>
        <location line="+21"/>
        <source>Prediction: the sum of each site&apos;s error measured alone.</source>
        <translation>预测：各位置单独测得误差之和。</translation>
    </message>
    <message>
        <location line="-15"/>
        <source>not computed</source>
        <translation>未计算</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>No frontier (%1): each budget is solved here, more slowly.</source>
        <translation>没有帕累托前沿（%1）：每个预算在此处求解，速度较慢。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Computing the frontier on the worker…</source>
        <translation>正在后台计算帕累托前沿…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>average weight width (bits)</source>
        <translation>平均权重位宽（位）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>predicted SQNR of ε (dB)</source>
        <translation>预测的 ε SQNR（dB）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>optimal allocation</source>
        <translation>最优分配</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>uniform width</source>
        <translation>统一位宽</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>current plan</source>
        <translation>当前方案</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>this budget</source>
        <translation>此预算</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Current plan: %1 average weight bits, %2 KiB, predicted %3 dB.</source>
        <translation>当前方案：平均权重 %1 位，%2 KiB，预测 %3 dB。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Current plan: uses widths the sweep did not measure; not plotted.</source>
        <translation>当前方案：使用了扫描未测量的位宽；未绘制。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 bits</source>
        <translation>%1 位</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Computing the allocations on the worker…</source>
        <translation>正在后台线程中计算分配…</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>%1 bits: %2</source>
        <translation>%1 位：%2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Predicted: %1 average weight bits · %2 KiB of weights · SQNR %3 dB · %4</source>
        <translation>预测：平均权重 %1 位 · 权重 %2 KiB · SQNR %3 dB · %4</translation>
    </message>
</context>
<context>
    <name>dq::gui::GenerationPanel</name>
    <message>
        <location filename="../app/gui/generation_panel.cpp" line="+99"/>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Guidance</source>
        <translation>引导强度</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Spacing</source>
        <translation>时间步间隔</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Images</source>
        <translation>图像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>|Difference|</source>
        <translation>|差异|</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>model default</source>
        <translation>模型默认</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>mixed</source>
        <translation>混合</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>Classifier-free guidance scale (1: none; needs a model with a null class)</source>
        <translation>无分类器引导（CFG）强度（1：不引导；需要带空类别的模型）</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Negative prompt</source>
        <translation>负面提示词</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a photo of an ankle boot</source>
        <translation>a photo of an ankle boot</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>empty: unconditional</source>
        <translation>留空：无条件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The text every image is generated from (text-to-image pipelines)</source>
        <translation>生成每张图像所用的文本（文生图流水线）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The unconditional text that guidance steers away from</source>
        <translation>引导所要远离的无条件文本</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Amplification of the |FP − quantized| difference image</source>
        <translation>|FP − 量化| 差异图像的放大倍数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save PNG…</source>
        <translation>保存 PNG…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>class %1</source>
        <translation>类别 %1</translation>
    </message>
    <message>
        <location line="+86"/>
        <source>Predicted x0 at step %1 / %2</source>
        <translation>第 %1 / %2 步预测的 x0</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Press Generate to sample from the same noise with the FP and the quantized model.</source>
        <translation>点击“生成”，用 FP 模型和量化模型从相同的噪声采样。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>“%1”</source>
        <translation>“%1”</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>mixed classes</source>
        <translation>混合类别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>seed %1 · %2 · guidance %3 · %4 steps</source>
        <translation>种子 %1 · %2 · 引导 %3 · %4 步</translation>
    </message>
    <message>
        <location line="+29"/>
        <location line="+3"/>
        <source>FP</source>
        <translation>FP</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Quantized</source>
        <translation>量化</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>|FP − quantized| × %1</source>
        <translation>|FP − 量化| × %1</translation>
    </message>
    <message>
        <location line="-23"/>
        <source>Paired PSNR %1 dB · SSIM %2 · MSE %3   (%4)</source>
        <translation>配对 PSNR %1 dB · SSIM %2 · MSE %3   (%4)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>FP (no quantized model yet: press Calibrate)</source>
        <translation>FP（尚无量化模型：请点击“校准”）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>FP x_t</source>
        <translation>FP x_t</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>FP predicted x0</source>
        <translation>FP 预测的 x0</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quantized x_t</source>
        <translation>量化 x_t</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Quantized predicted x0</source>
        <translation>量化预测的 x0</translation>
    </message>
</context>
<context>
    <name>dq::gui::HeatmapPanel</name>
    <message>
        <location filename="../app/gui/heatmap_panel.cpp" line="+50"/>
        <source>Activation range (max − min)</source>
        <translation>激活范围（max − min）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Output SQNR (dB)</source>
        <translation>输出 SQNR (dB)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bimodality coefficient</source>
        <translation>双峰系数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Activation width of the plan (bits)</source>
        <translation>方案的激活位宽（位）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Images</source>
        <translation>图像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Images sampled (mixed classes) while collecting statistics</source>
        <translation>收集统计信息时采样的图像数（混合类别）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Collect statistics</source>
        <translation>收集统计信息</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>%1 · text</source>
        <translation>%1 · 文本</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Calibrate to see the quantized model&apos;s SQNR.</source>
        <translation>请先校准，以查看量化模型的 SQNR。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waiting for statistics…</source>
        <translation>正在等待统计信息…</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>%1 sites × %2 steps · columns are timesteps t · click a cell to inspect it</source>
        <translation>%1 个量化位置 × %2 步 · 列为时间步 t · 点击单元格查看详情</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Open a model to see the plan&apos;s widths.</source>
        <translation>打开模型以查看方案的位宽。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>step %1</source>
        <translation>第 %1 步</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 sites × %2 sampling steps · relaxed steps show their wider width · blank: floating point</source>
        <translation>%1 个位置 × %2 个采样步 · 放宽的步显示更宽的位宽 · 空白：浮点</translation>
    </message>
</context>
<context>
    <name>dq::gui::HistogramPanel</name>
    <message>
        <location filename="../app/gui/histogram_panel.cpp" line="+90"/>
        <source>FP model</source>
        <translation>FP 模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quantized model</source>
        <translation>量化模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quantization grid</source>
        <translation>量化网格</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log counts</source>
        <translation>对数计数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Activations</source>
        <translation>激活</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>activation value</source>
        <translation>激活值</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+1"/>
        <source>count</source>
        <translation>计数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>weight value</source>
        <translation>权重值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>output channel</source>
        <translation>输出通道</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>weight range</source>
        <translation>权重范围</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>%1 · text</source>
        <translation>%1 · 文本</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Text-dependent: its input comes from the prompt&apos;s encoder states, the same at every timestep.</source>
        <translation>依赖文本：其输入来自提示词的编码器状态，在每个时间步都相同。</translation>
    </message>
    <message>
        <location line="+74"/>
        <source>no statistics yet</source>
        <translation>尚无统计信息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Statistics appear after the model is loaded (FP) and calibrated (quantized).</source>
        <translation>加载模型（FP）并完成校准（量化）后即显示统计信息。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>step %1 / %2 · t = %3</source>
        <translation>第 %1 / %2 步 · t = %3</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>quantized</source>
        <translation>量化</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>FP</source>
        <translation>FP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>input</source>
        <translation>输入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 %2 (b = %3)</source>
        <translation>%1 %2 (b = %3)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 %2: min %3, max %4, mean %5, std %6, bimodality %7</source>
        <translation>%1 %2：min %3，max %4，均值 %5，标准差 %6，双峰系数 %7</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>output SQNR at this step: %1 dB</source>
        <translation>此步的输出 SQNR：%1 dB</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1-bit grid (%2)</source>
        <translation>%1 位量化网格 (%2)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1-bit grid</source>
        <translation>%1 位量化网格</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1: clip [%2, %3], scale %4, zero point %5</source>
        <translation>%1：截断 [%2, %3]，缩放因子 %4，零点 %5</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>This site&apos;s input stays in floating point.</source>
        <translation>该量化位置的输入保持浮点精度。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 · step %2 · t = %3</source>
        <translation>%1 · 第 %2 步 · t = %3</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>quantized weights</source>
        <translation>量化权重</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>FP weights</source>
        <translation>FP 权重</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>%1 has no weights (attention operand) or no statistics yet.</source>
        <translation>%1 没有权重（注意力操作数）或尚无统计信息。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 · weights</source>
        <translation>%1 · 权重</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 · per-channel min/max</source>
        <translation>%1 · 逐通道 min/max</translation>
    </message>
</context>
<context>
    <name>dq::gui::LayerTools</name>
    <message>
        <location filename="../app/gui/layer_tools.cpp" line="+62"/>
        <source>Filter sites, e.g. up_blocks.2</source>
        <translation>筛选位置，例如 up_blocks.2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>all kinds</source>
        <translation>所有类型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Conv2d</source>
        <translation>Conv2d</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Linear</source>
        <translation>Linear</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>attention operands</source>
        <translation>注意力操作数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>shortcut sites</source>
        <translation>捷径位置</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>by block</source>
        <translation>按模块</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Group the sites under their blocks; unchecked, one list sorts across blocks</source>
        <translation>按模块分组显示位置；取消勾选时，以单一列表跨模块排序</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Measure sensitivity</source>
        <translation>测量敏感度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quantize each site alone, and all sites but each one, at several widths, on the calibration inputs: the Sensitivity column shows the result</source>
        <translation>在校准输入上以多种位宽分别单独量化每个位置、以及量化除它之外的所有位置：结果显示在“敏感度”列</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> bits</source>
        <translation> 位</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Average weight width (weighted by each site&apos;s weight count) for the allocation</source>
        <translation>分配所用的平均权重位宽（按各位置的权重数量加权）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Allocate…</source>
        <translation>分配…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose each site&apos;s weight width for this average, least predicted error first (from the sensitivity sweep)</source>
        <translation>按此平均值为每个位置选择权重位宽，使预测误差最小（基于敏感度测量）</translation>
    </message>
</context>
<context>
    <name>dq::gui::MainWindow</name>
    <message>
        <location filename="../app/gui/main_window.cpp" line="+198"/>
        <source>About DiffQuant Studio</source>
        <translation>关于 DiffQuant Studio</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>DiffQuant Studio %1
Post-training quantization explorer for diffusion models.</source>
        <translation>DiffQuant Studio %1
扩散模型训练后量化探索工具。</translation>
    </message>
    <message>
        <location line="+118"/>
        <source>Open a diffusers model folder (UNet2DModel, or a Stable Diffusion pipeline)</source>
        <translation>打开 diffusers 模型文件夹（UNet2DModel 或 Stable Diffusion 流水线）</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>DiffQuant Studio</source>
        <translation>DiffQuant Studio</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>DiffQuant Studio — %1</source>
        <translation>DiffQuant Studio — %1</translation>
    </message>
    <message>
        <location line="-150"/>
        <source>Saved %1 (%2 KiB, %3× smaller than the FP weights)</source>
        <translation>已保存 %1（%2 KiB，比 FP 权重小 %3×）</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open model…</source>
        <translation>打开模型(&amp;O)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recent models</source>
        <translation>最近使用的模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>S&amp;hipped models</source>
        <translation>随附模型(&amp;H)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Fashion-MNIST &amp;text-to-image (latent, prompts)</source>
        <translation>Fashion-MNIST 文生图(&amp;T)（潜空间，提示词）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fashion-MNIST &amp;DDPM (class-conditional)</source>
        <translation>Fashion-MNIST &amp;DDPM（类别条件）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open &amp;quantized model…</source>
        <translation>打开量化模型(&amp;Q)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Save quantized model…</source>
        <translation>保存量化模型(&amp;S)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save comparison as &amp;PNG…</source>
        <translation>将对比图保存为 PNG(&amp;P)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Calibrate</source>
        <translation>校准(&amp;C)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Generate comparison</source>
        <translation>生成对比(&amp;G)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Collect &amp;statistics</source>
        <translation>收集统计信息(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Evaluate…</source>
        <translation>评估(&amp;E)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C&amp;ancel</source>
        <translation>取消(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quantization</source>
        <translation>量化</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Layers</source>
        <translation>层</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Histogram</source>
        <translation>直方图</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Layer × timestep</source>
        <translation>层 × 时间步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <location line="+118"/>
        <source>No model loaded. Use File › Open model… to open a diffusers UNet2DModel folder or a Stable Diffusion pipeline folder.</source>
        <translation>未加载模型。请通过“文件 › 打开模型…”打开 diffusers UNet2DModel 文件夹或 Stable Diffusion 流水线文件夹。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2 parameters · %3×%4×%4 samples · classes: %5 · %6 on %7&lt;br&gt;%8 quantization sites, %9 with cat(h, skip) inputs (%10 of them the raw concatenation ⑃), %11 attention operands (◆)</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2 个参数 · %3×%4×%4 样本 · 类别：%5 · %6，位于 %7&lt;br&gt;%8 个量化位置，%9 个输入为 cat(h, skip)（其中 %10 个为原始拼接 ⑃），%11 个注意力操作数（◆）</translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>%n tensors</source>
        <translation>
            <numerusform>%n 个张量</numerusform>
        </translation>
    </message>
    <message>
        <location line="+112"/>
        <source>Not calibrated: comparisons show the FP model only.</source>
        <translation>未校准：对比仅显示 FP 模型。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Calibrated %1 (%2 s).</source>
        <translation>已校准 %1（%2 秒）。</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%n site(s) changed since calibration: press Calibrate.</source>
        <translation>
            <numerusform>自校准以来已有 %n 个量化位置更改：请点击“校准”。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot calibrate</source>
        <translation>无法校准</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+13"/>
        <location line="+92"/>
        <location line="+17"/>
        <source>Open a model first.</source>
        <translation>请先打开模型。</translation>
    </message>
    <message>
        <location line="-109"/>
        <source>Cannot measure sensitivity</source>
        <translation>无法测量敏感度</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Sensitivity of %1 sites measured in %2 s: all weights at %3 bits give %4 dB, all activations at %5 bits %6 dB. Sort by the Sensitivity column to see the sites that matter most.</source>
        <translation>已在 %2 秒内测量 %1 个位置的敏感度：所有权重为 %3 位时为 %4 dB，所有激活为 %5 位时为 %6 dB。按“敏感度”列排序可查看最重要的位置。</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+7"/>
        <location line="+28"/>
        <source>Cannot allocate</source>
        <translation>无法分配</translation>
    </message>
    <message>
        <location line="-35"/>
        <location line="+35"/>
        <source>Measure the sensitivity first.</source>
        <translation>请先测量敏感度。</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>%1 bits: %2</source>
        <translation>%1 位：%2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Allocated %1 average weight bits (%2); predicted SQNR %3 dB. Press Calibrate to apply.</source>
        <translation>已分配平均 %1 位权重（%2）；预测 SQNR %3 dB。按“校准”以应用。</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>the worker is not running</source>
        <translation>后台线程未运行</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cannot generate</source>
        <translation>无法生成</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Cannot evaluate</source>
        <translation>无法评估</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Number of samples (FID, sFID, IS, class accuracy; with a quantized model also FID-to-FP and paired PSNR/SSIM):</source>
        <translation>样本数（FID、sFID、IS、类别准确率；若有量化模型，还计算相对 FP 的 FID 以及配对 PSNR/SSIM）：</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Operation failed</source>
        <translation>操作失败</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>prompts</source>
        <translation>提示词</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>held-out</source>
        <translation>留出</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>calibration</source>
        <translation>校准</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>samples</source>
        <translation>样本数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FID</source>
        <translation>FID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sFID</source>
        <translation>sFID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>IS</source>
        <translation>IS</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 ± %2</source>
        <translation>%1 ± %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>class accuracy</source>
        <translation>类别准确率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>n/a</source>
        <translation>不适用</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>FID to FP</source>
        <translation>相对 FP 的 FID</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>paired PSNR</source>
        <translation>成对 PSNR</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 dB</source>
        <translation>%1 dB</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>paired SSIM</source>
        <translation>成对 SSIM</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FP model&apos;s FID</source>
        <translation>FP 模型的 FID</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&lt;tr&gt;&lt;td&gt;wall time&lt;/td&gt;&lt;td align=right&gt;%1 s&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;tr&gt;&lt;td&gt;实际耗时&lt;/td&gt;&lt;td align=right&gt;%1 秒&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Evaluation</source>
        <translation>评估结果</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Open a quantized model (diffquant calibrate --out)</source>
        <translation>打开量化模型（diffquant calibrate --out）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Nothing to save</source>
        <translation>没有可保存的内容</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Calibrate a quantized model first.</source>
        <translation>请先校准得到量化模型。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save the quantized model as a folder</source>
        <translation>将量化模型保存为文件夹</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Save the comparison as PNG</source>
        <translation>将对比图保存为 PNG</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cannot save the comparison</source>
        <translation>无法保存对比图</translation>
    </message>
    <message>
        <location line="-458"/>
        <source>Loaded %1</source>
        <translation>已加载 %1</translation>
    </message>
</context>
<context>
    <name>dq::gui::QuantizationPanel</name>
    <message>
        <location filename="../app/gui/quantization_panel.cpp" line="+129"/>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Range method</source>
        <translation>范围方法</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shortcuts</source>
        <translation>跳跃连接</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Softmax bits</source>
        <translation>Softmax 位宽</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>First/last layer</source>
        <translation>首层/末层</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Activation grids</source>
        <translation>激活量化网格</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Timestep sampling</source>
        <translation>时间步采样</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Normal mean (×T)</source>
        <translation>正态均值 (×T)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Normal std (×T)</source>
        <translation>正态标准差 (×T)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cali_st</source>
        <translation>cali_st</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cali_n</source>
        <translation>cali_n</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Calibration prompts</source>
        <translation>校准提示词</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>One prompt per line; trajectory i follows prompt i mod n</source>
        <translation>每行一个提示词；第 i 条轨迹使用第 i mod n 个提示词</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Text-to-image pipelines are calibrated on trajectories from these prompts, each conditional and unconditional (the negative prompt), as Q-Diffusion does</source>
        <translation>文生图流水线在由这些提示词生成的轨迹上校准，每个输入都以有条件和无条件（负面提示词）两种方式使用，与 Q-Diffusion 相同</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Text encoder weights</source>
        <translation>文本编码器权重</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>VAE decoder weights</source>
        <translation>VAE 解码器权重</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>FP (as Q-Diffusion and PCR)</source>
        <translation>FP（同 Q-Diffusion 与 PCR）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1-bit, per channel</source>
        <translation>%1 位，逐通道</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Weight-only quantization of this part of the pipeline, kept in the artifact; the quantized side of comparisons and evaluations encodes or decodes with it</source>
        <translation>仅对管线的这一部分做权重量化，保存在产物中；比较与评估的量化一侧用它编码或解码</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Weight rounding</source>
        <translation>权重舍入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>nearest</source>
        <translation>最近值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GPTQ (second-order)</source>
        <translation>GPTQ（二阶）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>AdaRound (block reconstruction)</source>
        <translation>AdaRound（块重建）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>AdaRound iterations</source>
        <translation>AdaRound 迭代次数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Learning iterations per unit (resnet, attention block or layer)</source>
        <translation>每个单元（残差块、注意力块或层）的学习迭代次数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>LSQ iterations</source>
        <translation>LSQ 迭代次数</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+29"/>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="-28"/>
        <source>Learn each unit&apos;s activation step sizes after the weights (0: off)</source>
        <translation>在权重之后学习每个单元的激活步长（0：关闭）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Progressive</source>
        <translation>渐进式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>calibrate each step on the quantized trajectory (PCR)</source>
        <translation>在量化轨迹上逐步校准（PCR）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GPTQ rounds each layer&apos;s weights column by column and compensates the error with the layer&apos;s input statistics: much better at 4 bits, seconds more to calibrate</source>
        <translation>GPTQ 逐列舍入每层权重，并用该层输入统计补偿误差：4 位时效果好得多，校准只多几秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>W = weight bits, A = activation bits; A16 keeps activations in floating point</source>
        <translation>W = 权重位宽，A = 激活位宽；A16 表示激活保持浮点</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>min/max</source>
        <translation>min/max</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>MSE search (Lp 2.4)</source>
        <translation>MSE 搜索 (Lp 2.4)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>percentile</source>
        <translation>百分位数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>running min/max</source>
        <translation>滑动 min/max</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>How activation and weight clipping ranges are chosen from the calibration data</source>
        <translation>如何根据校准数据确定激活和权重的截断范围</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>one grid</source>
        <translation>单一网格</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>split h | skip: shortcut conv (Q-Diffusion)</source>
        <translation>拆分 h | skip：捷径卷积（Q-Diffusion）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>split h | skip: shortcut conv and conv1</source>
        <translation>拆分 h | skip：捷径卷积和 conv1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quantize the two halves of a decoder cat(h, skip) input with separate grids. The shortcut conv receives the raw concatenation (marked ⑃ in the layer table); conv1 sees it after GroupNorm and SiLU.</source>
        <translation>用不同的网格量化解码器 cat(h, skip) 输入的两半。捷径卷积接收原始拼接（在层表中标记为 ⑃）；conv1 看到的是经过 GroupNorm 和 SiLU 之后的拼接。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>16 (text-to-image default)</source>
        <translation>16（文生图默认）</translation>
    </message>
    <message>
        <location line="+148"/>
        <source>activations in floating point</source>
        <translation>激活为浮点</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 bits over %2 quantized inputs × %3 steps</source>
        <translation>%1 位，覆盖 %2 个量化输入 × %3 步</translation>
    </message>
    <message>
        <location line="-151"/>
        <source>as activations</source>
        <translation>同激活</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Width of the attention probabilities (zero point 0)</source>
        <translation>注意力概率的位宽（零点为 0）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>as the rest</source>
        <translation>同其余层</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>8 bits</source>
        <translation>8 位</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>full precision</source>
        <translation>全精度</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>one grid per step (PCR)</source>
        <translation>每步一个量化网格（PCR）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A separate activation scale and zero point for every sampling step</source>
        <translation>每个采样步使用独立的激活缩放因子和零点</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>uniform (Q-Diffusion)</source>
        <translation>均匀（Q-Diffusion）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>normal (PTQ4DM NDTC)</source>
        <translation>正态（PTQ4DM NDTC）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Timesteps kept per FP trajectory</source>
        <translation>每条 FP 轨迹保留的时间步数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FP trajectories (images) sampled for calibration</source>
        <translation>为校准采样的 FP 轨迹（图像）数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Relaxed steps</source>
        <translation>放宽的步数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>PCR&apos;s activation relaxing: the fraction of sampling steps whose activations use the relaxed width (0: off)</source>
        <translation>PCR 激活放宽：激活使用放宽位宽的采样步比例（0：关闭）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Relaxed width</source>
        <translation>放宽位宽</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> bits</source>
        <translation> 位</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Activation width on the relaxed steps (never below a site&apos;s own width)</source>
        <translation>放宽步上的激活位宽（不低于该位置自身的位宽）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Relax at</source>
        <translation>放宽位置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the last steps (fine detail)</source>
        <translation>最后几步（细节）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the first steps</source>
        <translation>最初几步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Average activation width</source>
        <translation>平均激活位宽</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Calibrate</source>
        <translation>校准</translation>
    </message>
</context>
<context>
    <name>dq::gui::Worker</name>
    <message>
        <location filename="../app/gui/worker.cpp" line="+178"/>
        <source>%1: cancelled before it started</source>
        <translation>%1：开始前已取消</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>%1: cancelled</source>
        <translation>%1：已取消</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>LibTorch failed during %1: %2</source>
        <translation>LibTorch 出错（%1）：%2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 failed: %2</source>
        <translation>%1失败：%2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 failed with an unknown error.</source>
        <translation>%1 因未知错误而失败。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Loading model</source>
        <translation>加载模型</translation>
    </message>
    <message>
        <location line="+81"/>
        <source>Calibrating %1</source>
        <translation>校准 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open a model before calibrating.</source>
        <translation>请先打开模型再进行校准。</translation>
    </message>
    <message>
        <location line="-53"/>
        <source>collecting calibration data</source>
        <translation>收集校准数据</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GPTQ: layer inputs</source>
        <translation>GPTQ：层输入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GPTQ: rounding</source>
        <translation>GPTQ：舍入</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+64"/>
        <source>calibrating</source>
        <translation>校准中</translation>
    </message>
    <message>
        <location line="-63"/>
        <source>AdaRound: unit</source>
        <translation>AdaRound：单元</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>LSQ: unit</source>
        <translation>LSQ：单元</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>progressive calibration: step</source>
        <translation>渐进式校准：步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>observing ranges</source>
        <translation>观测范围</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sensitivity: configuration</source>
        <translation>敏感度：配置</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Give calibration prompts (one per line) for this text-to-image pipeline.</source>
        <translation>请为该文生图流水线提供校准提示词（每行一个）。</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Measuring sensitivity</source>
        <translation>正在测量敏感度</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open a model before measuring sensitivity.</source>
        <translation>测量敏感度前请先打开模型。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>sensitivity</source>
        <translation>敏感度</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Allocating</source>
        <translation>正在分配</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Measure the sensitivity first.</source>
        <translation>请先测量敏感度。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>allocation budgets</source>
        <translation>分配预算</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Generating</source>
        <translation>生成</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open a model before generating.</source>
        <translation>请先打开模型再进行生成。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>FP model</source>
        <translation>FP 模型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>quantized model</source>
        <translation>量化模型</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>Decoding step %1</source>
        <translation>正在解码第 %1 步</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This comparison&apos;s trajectory is no longer held (a model was opened since); generate the comparison again.</source>
        <translation>此对比的轨迹已不再保留（此后打开过模型）；请重新生成对比。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Step %1 is outside this comparison&apos;s %2 steps.</source>
        <translation>第 %1 步超出此对比的 %2 步。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Quantized statistics</source>
        <translation>量化模型统计</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>FP statistics</source>
        <translation>FP 模型统计</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open a model before collecting statistics.</source>
        <translation>请先打开模型再收集统计数据。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Calibrate a quantized model before collecting its statistics.</source>
        <translation>请先校准量化模型再收集其统计数据。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>sampling with statistics</source>
        <translation>采样并收集统计信息</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Evaluating</source>
        <translation>评估</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open a model before evaluating.</source>
        <translation>请先打开模型再进行评估。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>sampling</source>
        <translation>采样中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sampling (held-out prompts)</source>
        <translation>采样（留出提示词）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sampling (calibration prompts)</source>
        <translation>采样（校准提示词）</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Saving quantized model</source>
        <translation>保存量化模型</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>There is no calibrated model to save; press Calibrate first.</source>
        <translation>没有可保存的已校准模型；请先点击“校准”。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Opening quantized model</source>
        <translation>打开量化模型</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open the FP model before its quantized model.</source>
        <translation>请先打开 FP 模型，再打开其量化模型。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Back to FP</source>
        <translation>恢复为 FP</translation>
    </message>
</context>
<context>
    <name>dq::widgets::ImageComparison</name>
    <message>
        <location filename="../widgets/image_comparison.cpp" line="+79"/>
        <source>There is no comparison to save yet; generate one first.</source>
        <translation>尚无可保存的对比图，请先生成。</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+5"/>
        <source>Cannot write &apos;%1&apos;: %2</source>
        <translation>无法写入“%1”：%2</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Cannot encode &apos;%1&apos; as PNG.</source>
        <translation>无法将“%1”编码为 PNG。</translation>
    </message>
</context>
<context>
    <name>dq::widgets::LayerTable</name>
    <message>
        <location filename="../widgets/layer_table.cpp" line="+86"/>
        <location line="+303"/>
        <source>FP</source>
        <translation>FP</translation>
    </message>
    <message>
        <location line="-252"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Site</source>
        <translation>量化位置</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>W bits</source>
        <translation>W 位宽</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>A bits</source>
        <translation>A 位宽</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Recon</source>
        <translation>重建</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sensitivity</source>
        <translation>敏感度</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>SQNR of the predicted noise with only this site quantized at its widths (from a sensitivity sweep): the longer the bar, the more the site matters. Click to sort.</source>
        <translation>仅以该位置当前位宽量化时预测噪声的 SQNR（来自敏感度测量）：条越长，该位置越重要。点击排序。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Click to restore the execution order</source>
        <translation>点击恢复执行顺序</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change of the site&apos;s reconstruction unit output error (AdaRound, then LSQ) against its starting point</source>
        <translation>该位置所属重建单元的输出误差（先 AdaRound，后 LSQ）相对起点的变化</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Weight bit-width (double-click to edit; FP = not quantized)</source>
        <translation>权重位宽（双击编辑；FP = 不量化）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Activation bit-width of the site&apos;s input, or of the attention operand</source>
        <translation>该量化位置输入或注意力操作数的激活位宽</translation>
    </message>
    <message>
        <location line="+32"/>
        <source> · split</source>
        <translation> · 拆分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>
Shortcut site ⑃: its input is the raw cat(h, skip) with %1 + %2 channels.</source>
        <translation>
捷径位置 ⑃：其输入为原始 cat(h, skip)，通道数 %1 + %2。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>
Its input is cat(h, skip) with %1 + %2 channels after GroupNorm and SiLU.</source>
        <translation>
其输入为经过 GroupNorm 和 SiLU 的 cat(h, skip)，通道数 %1 + %2。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> The plan gives each half its own grid.</source>
        <translation> 方案为每一半使用各自的网格。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> The plan quantizes it with one grid.</source>
        <translation> 方案用一个网格量化它。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>
Attention matmul operand: quantized with its own width.</source>
        <translation>
注意力 matmul 操作数：以独立位宽量化。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> · text</source>
        <translation> · 文本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>
Text-dependent: its input comes from the prompt&apos;s encoder states, the same at every timestep.</source>
        <translation>
依赖文本：其输入来自提示词的编码器状态，在每个时间步都相同。</translation>
    </message>
    <message>
        <location line="+152"/>
        <source>Weight bits of the selected sites</source>
        <translation>所选位置的权重位数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Activation bits of the selected sites</source>
        <translation>所选位置的激活位数</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>?</source>
        <translation>?</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not measured at these widths: run the sensitivity sweep with them</source>
        <translation>未在这些位宽下测量：请用这些位宽运行敏感度测量</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 dB</source>
        <translation>%1 dB</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>weights at %1 bits alone: %2 dB</source>
        <translation>仅权重 %1 位：%2 dB</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>input at %1 bits alone: %2 dB</source>
        <translation>仅输入 %1 位：%2 dB</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>%1 (%2): %3 → %4</source>
        <translation>%1（%2）：%3 → %4</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>recalibrate</source>
        <translation>需重新校准</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>calibrated</source>
        <translation>已校准</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Changed since the last calibration: press Calibrate to apply</source>
        <translation>自上次校准后已更改：点击“校准”以应用</translation>
    </message>
</context>
<context>
    <name>dq::widgets::ProgressStatus</name>
    <message>
        <location filename="../widgets/progress_status.cpp" line="+23"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop the running operation (within one denoising step) and everything queued</source>
        <translation>停止正在运行的操作（在一个去噪步内生效）以及所有排队的操作</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 left</source>
        <translation>剩余 %1</translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>(+%n queued)</source>
        <translation>
            <numerusform>(+%n 个排队中)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>dq::widgets::TrajectoryScrubber</name>
    <message>
        <location filename="../widgets/trajectory_scrubber.cpp" line="+58"/>
        <source>No trajectory yet</source>
        <translation>尚无轨迹</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>step %1 / %2 · t = %3</source>
        <translation>第 %1 / %2 步 · t = %3</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> · not decoded yet</source>
        <translation> · 尚未解码</translation>
    </message>
</context>
</TS>
