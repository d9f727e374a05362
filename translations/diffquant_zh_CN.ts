<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>dq::gui::MainWindow</name>
    <message>
        <source>About DiffQuant Studio</source>
        <translation>关于 DiffQuant Studio</translation>
    </message>
    <message>
        <source>DiffQuant Studio %1
Post-training quantization explorer for diffusion models.</source>
        <translation>DiffQuant Studio %1
扩散模型训练后量化探索工具。</translation>
    </message>
    <message>
        <source>DiffQuant Studio</source>
        <translation>DiffQuant Studio</translation>
    </message>
    <message>
        <source>DiffQuant Studio — %1</source>
        <translation>DiffQuant Studio — %1</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open model…</source>
        <translation>打开模型(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <source>Open a diffusers UNet2DModel folder</source>
        <translation>打开 diffusers UNet2DModel 文件夹</translation>
    </message>
    <message>
        <source>Cannot open model</source>
        <translation>无法打开模型</translation>
    </message>
    <message>
        <source>Loaded %1</source>
        <translation>已加载 %1</translation>
    </message>
    <message>
        <source>No model loaded. Use File › Open model… to open a diffusers UNet2DModel folder.</source>
        <translation>未加载模型。请通过 文件 › 打开模型… 打开 diffusers UNet2DModel 文件夹。</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2 parameters in %3 tensors · samples %4×%5×%5 · class conditioning: %6&lt;ul&gt;%7&lt;/ul&gt;</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2 个参数，%3 个张量 · 样本 %4×%5×%5 · 类别条件：%6&lt;ul&gt;%7&lt;/ul&gt;</translation>
    </message>
</context>
<context>
    <name>dq::widgets::LayerTable</name>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>  (shortcut split %1 + %2)</source>
        <translation>  （捷径拆分 %1 + %2）</translation>
    </message>
</context>
</TS>
