"""Made-up people's names, Chinese or pinyin."""

from __future__ import annotations

import random

_ZH_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯"
    "邓曹彭曾肖田董袁潘蒋蔡杜叶程苏魏吕丁沈姚卢钟谭陆范石廖夏"
    "方白孟秦邱江薛段雷侯龙郝龚邵严武"
)
_ZH_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚华玉兰萍红建国"
    "志文辉力斌波宁宇浩凯鹏飞鑫晨欣怡婷雪琳璐颖佳欢峰海东亮俊帅"
)
_PINYIN_SURNAMES = (
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng Liang "
    "Xie Song Tang Han Feng Deng Cao Peng"
).split()
_PINYIN_GIVEN = (
    "Wei Fang Na Min Jing Li Qiang Lei Jun Yang Yong Yan Jie Juan Tao Ming Chao Xia Ping Gang Hua Hao "
    "Kai Peng Fei Xin Chen Yi Ting Xue Lin Jia Yu Ning Bo Haoran Zihan Yuxuan Siyu Jiahui"
).split()


def person_name(rng: random.Random, style: str) -> str:
    if style == "pinyin":
        return f"{rng.choice(_PINYIN_SURNAMES)} {rng.choice(_PINYIN_GIVEN)}"
    given = "".join(rng.choice(_ZH_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(_ZH_SURNAMES) + given
