"""Writes models/build/data/train_c.jsonl: restaurant / food-delivery training sentences for
fankui, generated from the hand-written clause banks and hand-written sentences below (written
for fankui; nothing copied from any corpus, and never from val_restaurant.jsonl).

Every topic of the taxonomy gets negative, positive and neutral clauses; sentences are single
clauses (the runtime scores clause by clause), clauses with an evaluative tail, two clauses on
different topics (same polarity, or mixed: praise + a mild complaint = neutral, praise + a
serious problem = negative), voice-transcript style (no punctuation, fillers, spoken openers)
and some in Traditional characters. Labelling convention of train_a / train_b: an aspect is a
topic when the sentence judges or asks about it; a plain mention ("点的外卖") is not.

Deterministic (fixed seed). Any sentence that also occurs in val_restaurant.jsonl, or contains a
whole validation sentence of 5+ characters (compared after removing punctuation, spaces and
fillers), is dropped; the count is printed. The validation sentences are only compared, never
read into the output.

  .venv/bin/python make_train_c.py            # writes data/train_c.jsonl
"""

import json
import os
import random
import re

import common

SEED = 20251201
N_TARGET = 4200

# ------------------------------------------------------------------ slot values

DISH = ["宫保鸡丁", "鱼香肉丝", "麻辣烫", "牛肉面", "扬州炒饭", "猪肉白菜饺子", "鲜肉馄饨", "牛肉汉堡",
        "薯条", "炸鸡", "披萨", "三文鱼寿司", "米线", "酸菜鱼", "烤鱼", "麻辣小龙虾", "煲仔饭", "黄焖鸡米饭",
        "凉皮", "肉夹馍", "煎饼果子", "小笼包", "皮蛋瘦肉粥", "卤肉饭", "豚骨拉面", "螺蛳粉", "冒菜",
        "烤串", "鸡排", "炒河粉", "盖浇饭", "回锅肉", "水煮鱼", "红烧肉", "糖醋里脊", "蛋炒饭", "牛肉粉",
        "酸辣粉", "锅贴", "烧麦", "麻辣香锅", "鸭血粉丝汤", "番茄炒蛋", "地三鲜", "鱼香茄子", "干锅花菜",
        "炸酱面", "热干面", "重庆小面", "沙拉", "鸡肉卷", "鸡米花", "辣子鸡", "毛血旺", "土豆丝", "麻婆豆腐",
        "叉烧饭", "烧鹅饭", "咖喱鸡饭", "石锅拌饭", "部队锅", "照烧鸡腿饭", "虾仁炒饭", "东北锅包肉",
        "羊肉串", "烤冷面", "手抓饼", "生煎包", "鸡蛋灌饼", "砂锅粥", "猪脚饭", "隆江猪脚饭", "沙县拌面",
        "蒸饺", "酸汤肥牛", "水煮肉片", "干炒牛河", "芋泥蛋糕", "提拉米苏", "鸡公煲", "羊肉泡馍"]
HOT = ["牛肉面", "麻辣烫", "米线", "酸菜鱼", "鲜肉馄饨", "皮蛋瘦肉粥", "豚骨拉面", "螺蛳粉", "冒菜",
       "煲仔饭", "黄焖鸡米饭", "鸭血粉丝汤", "麻辣香锅", "水煮鱼", "盖浇饭", "饺子", "炒饭", "汤",
       "炸鸡", "薯条", "披萨", "汉堡", "热豆浆", "热拿铁", "热奶茶", "砂锅粥", "毛血旺", "部队锅",
       "小笼包", "生煎包", "酸辣粉", "牛肉粉", "羊肉泡馍", "鸡公煲", "饭菜", "菜"]
COLD = ["冰美式", "冰奶茶", "柠檬茶", "冰淇淋", "冰沙", "杨枝甘露", "冰可乐", "果茶", "冰拿铁",
        "酸梅汤", "冰粉", "雪顶咖啡", "芒果冰沙", "冰咖啡"]
DRINK = ["奶茶", "拿铁", "美式", "柠檬茶", "果茶", "豆浆", "可乐", "酸梅汤", "杨枝甘露", "珍珠奶茶",
         "生椰拿铁", "橙汁"]
MINUTES = ["二十", "三十", "四十", "四十五", "五十", "六十", "七十", "八十", "九十", "20", "30", "40",
           "45", "50", "55", "70", "80", "100"]
LONG = ["一个小时", "一个半小时", "快两个小时", "一个多小时", "两个小时", "大半个小时", "半个多小时"]
PRICE = ["18", "22", "25", "28", "32", "35", "38", "42", "45", "48", "58", "68", "88", "二十",
         "三十", "四十", "五十", "六十", "十五", "十几", "二十多", "三十多"]
SMALL = ["两", "三", "五", "八", "十", "几"]
PLACE = ["门口", "楼下", "前台", "保安室", "外卖柜", "快递柜", "隔壁楼", "小区门口"]
WHO = ["服务员", "店员", "收银员", "老板", "老板娘", "前台小姑娘", "经理", "传菜的小哥", "阿姨"]
SIDE = ["筷子", "勺子", "餐具", "纸巾", "吸管", "酱料包", "醋包", "辣椒包", "米饭", "饮料", "小菜"]
NOTE = ["不要香菜", "不要葱", "少辣", "不要辣", "多放辣", "去冰", "少糖", "不要蒜", "多加醋",
        "不要洋葱", "微辣", "免辣", "加饭", "不要花生", "少盐"]
BUG = ["闪退", "卡死", "白屏", "一直转圈", "报错", "显示网络异常", "打不开", "加载不出来"]

SLOTS = {"d": DISH, "h": HOT, "c": COLD, "k": DRINK, "m": MINUTES, "l": LONG, "p": PRICE, "s": SMALL,
         "pl": PLACE, "w": WHO, "sd": SIDE, "nt": NOTE, "bug": BUG}

# ------------------------------------------------------------------ clause banks
# Per topic: neg (clear complaint), mild (slight complaint, used in neutral mixes), pos, neu.
# {d} dish, {h} hot dish, {c} cold drink, {k} drink, {m} minutes, {l} long wait, {p} price,
# {s} small number, {pl} place, {w} staff, {sd} side item, {nt} customer note, {bug} app fault.

BANK = {
    "taste": {
        "neg": ["{d}太咸了", "{d}咸得要命", "{d}咸得发苦", "{d}齁咸", "{d}一点味道都没有", "{d}淡得像白水",
                "{d}甜得发腻", "{d}酸得没法吃", "{d}有股怪味", "{d}味道很奇怪", "{d}难吃死了", "{d}不好吃",
                "{d}没有以前好吃了", "{d}调料放太多了", "{d}油太大太腻了", "{d}一股糊味", "{d}吃着有股药味",
                "{d}寡淡无味", "{d}做得太难吃了", "{d}味道怪怪的", "{d}一点都不入味", "{d}辣得根本吃不了",
                "说好的麻辣{d}一点都不辣", "{d}全是味精味", "{d}苦的", "这{d}是什么味啊", "{d}腥味很重，调味也不行",
                "{d}吃起来像没放盐", "{d}味道跟描述的完全不一样", "{d}的酱汁太甜了", "{k}甜得齁嗓子",
                "{k}一点茶味都没有", "{k}寡淡得像兑了水", "口味越来越差了", "味道太差了", "太咸了",
                "太难吃了", "咸死了", "难以下咽", "一股怪味", "没味道", "真的不好吃", "味道一言难尽",
                "{d}吃了一口就扔了，太难吃", "{d}里的肉柴得嚼不动", "{d}的面坨成一团了",
                "{d}炸得太老了硬邦邦的", "{d}一点都不脆了，软塌塌的"],
        "mild": ["{d}的肉有点老", "{d}稍微有点硬", "{d}的面稍微有点软", "肉有点柴", "{d}稍微有点咸", "{d}有点偏甜", "{d}口味偏淡了点", "{d}稍微有点油", "{d}辣度差了点意思",
                 "味道稍微淡了些", "有点咸", "{k}略甜了一点"],
        "pos": ["{d}很好吃", "{d}味道很正宗", "{d}超级入味", "{d}咸淡刚好", "{d}香得很", "{d}好吃到爆",
                "{d}鲜得很", "{d}口感很棒", "{d}辣得过瘾", "{d}回味无穷", "{d}一如既往地好吃", "{d}太好吃了吧",
                "{d}味道绝了", "{d}酱汁调得很好", "{d}麻辣鲜香", "{d}酸甜适中", "{d}一点都不腻", "{d}做得很地道",
                "{d}有家的味道", "{k}不甜不腻刚刚好", "{k}茶味很浓很好喝", "{k}好喝", "味道很赞", "好吃",
                "很好吃", "超好吃", "巨好吃", "味道不错", "口味很好", "真香",
                "{d}香而不腻", "{d}每次都点，百吃不厌", "{d}的肉很嫩", "{d}的米饭软硬刚好",
                "{d}的面很筋道", "{d}的鸡肉很嫩很多汁", "肉很嫩", "{d}炸得外酥里嫩"],
        "neu": ["{d}味道一般", "{d}口味中规中矩", "{d}味道还行吧", "{d}跟平时差不多", "{d}谈不上好吃也谈不上难吃",
                "{d}味道正常", "{d}口味偏甜，看个人喜好吧", "{d}味道没什么特别的", "味道一般般",
                "口味还可以", "味道就那样", "{d}能吃，但不惊艳", "口味不知道能不能做成微辣的",
                "{d}的辣度可以选吗", "{k}甜度正常"],
    },
    "quality": {
        "neg": ["{d}不新鲜", "{d}里的肉是臭的", "{d}变质了", "{d}有股馊味", "{d}没熟，里面还是生的", "{d}是夹生的",
                "{d}的虾都不新鲜了", "{d}里的菜叶都蔫了发黄", "{d}像是隔夜的",
                "{d}肉质很差", "{d}用的是冷冻了很久的肉", "{d}的肉发黑了", "{d}里的鸡肉有血丝没熟透",
                "{d}的米饭是硬的，像是剩饭", "{d}的鱼肉一股土腥味，不新鲜", "{d}的肉全是肥的和筋",
                "{d}的丸子一看就是淀粉做的", "{d}的油一看就是反复用过的",
                "{d}里的海鲜有臭味", "饭是馊的", "肉不新鲜", "菜是烂的", "鸡肉没熟", "馅都馊了", "米饭夹生",
                "牛肉全是筋嚼不烂", "食材太差了", "{d}的肉是合成肉吧", "{d}里的蛋一股怪味，怀疑放坏了",
                "{d}的蔬菜都是烂叶子"],
        "mild": ["{d}的青菜有点蔫", "{d}的肉稍微有点不新鲜", "{d}里的菜有点不够新鲜"],
        "pos": ["{d}食材很新鲜", "{d}用料很实在", "{d}的虾个个都很新鲜", "{d}的蔬菜很新鲜很脆",
                "{d}肉质很好", "{d}的牛肉是真材实料", "{d}的鱼很新鲜一点都不腥",
                "食材新鲜", "用料足", "看得出用的是好食材", "{d}是现做的，很新鲜"],
        "neu": ["{d}食材一般", "食材看着还行", "{d}的肉质正常", "{d}的食材中规中矩", "不知道{d}用的是不是新鲜肉",
                "{d}的肉是冷冻的还是鲜的", "食材不算特别新鲜但能接受"],
    },
    "temperature": {
        "neg": ["{h}送到都凉了", "{h}是凉的", "{h}冰凉冰凉的", "{h}一点都不热", "{h}温温吞吞的", "{c}冰都化完了",
                "{c}送来是温的", "热饮送来是凉的", "{h}凉透了", "{h}凉得跟冰箱拿出来的一样", "{c}一点都不冰",
                "{h}送来已经凉了，油都凝住了", "点的热的送来是冷的", "{h}拿到手就是凉的", "凉了", "都凉了",
                "饭是凉的", "汤都凉了", "冰全化了", "冰淇淋化成水了", "{h}不够热", "全凉了没法吃",
                "{h}凉了以后特别腥"],
        "mild": ["{h}稍微有点凉", "{h}送到有点温了", "{c}冰有点化了", "{h}没那么热了", "稍微有点凉"],
        "pos": ["{h}送到还是热乎的", "{h}还烫嘴", "{c}冰冰凉凉的很爽", "保温做得好，{h}还是热的",
                "{h}送到还冒着热气", "{c}送到冰还没化", "饭菜都是热的", "还是热乎乎的", "送到还烫手",
                "冬天送到还是热的，赞", "{h}热腾腾的"],
        "neu": ["{h}温度还行", "{h}温度正常", "{c}冰量正常", "温度刚好能入口", "{h}不算热但也不凉",
                "温度一般", "{k}可以做热的吗"],
    },
    "portion": {
        "neg": ["{d}分量太少了", "{d}就那么几块肉", "{d}量少得可怜", "{d}根本吃不饱", "{d}比以前缩水了一半",
                "{d}一大半都是配菜", "{d}里的肉就{s}片", "{d}只有半盒", "{d}分量越来越少", "{d}就一小碗",
                "{d}份量跟图片差太多", "这点量喂猫呢", "吃不饱", "量太少了", "份量缩水", "就几口的量",
                "{k}只有半杯", "一份{d}就{s}个", "大份和小份一样多"],
        "mild": ["{d}分量稍微少了点", "{d}量不算多", "量偏少", "{d}稍微少了一点点"],
        "pos": ["{d}分量很足", "{d}量大管饱", "{d}两个人都吃不完", "分量实在", "{d}份量超大", "量很足",
                "{d}肉给得很多", "吃得很饱", "量足", "{d}满满一大盒", "{d}一个人吃绰绰有余"],
        "neu": ["{d}分量一般", "分量刚好够一个人吃", "量不算多也不算少", "{d}分量正常", "分量和以前差不多",
                "{d}是一人份的吗", "分量中等"],
    },
    "price": {
        "neg": ["{d}太贵了", "{p}块钱就这么点", "价格偏贵，不值", "涨价了也不通知一声", "性价比太低",
                "满减完还要{p}块，不划算", "打包费收了{s}块，抢钱啊", "这个价格真不值", "比店里贵了好多",
                "{d}卖{p}块，太坑了", "又涨价了", "价格虚高", "不值这个价", "太贵了", "贵得离谱",
                "优惠券根本用不了，价格比别家贵", "原价{p}块，一点优惠都没有"],
        "mild": ["价格稍微有点贵", "价格略高", "{d}有点小贵", "稍微贵了点"],
        "pos": ["性价比很高", "价格很实惠", "才{p}块钱，很划算", "用了优惠券很便宜", "{d}这个价格很值",
                "便宜又好吃", "价格公道", "满减很给力", "物美价廉", "这个价位算很良心了", "划算",
                "{p}块吃得这么好，值"],
        "neu": ["价格正常", "价格和别家差不多", "{d}{p}块钱一份", "价格一般", "满{p}减{s}",
                "价格中等", "{d}现在多少钱", "价格还可以接受", "优惠券能和满减一起用吗"],
    },
    "delivery": {
        "neg": ["骑手送得太慢了", "外卖超时了{m}分钟", "骑手态度很差", "骑手把餐放在{pl}也不打电话",
                "显示已送达但我根本没收到", "骑手送错楼了", "骑手提前点了送达", "配送超时还不道歉",
                "外卖送了{l}才到", "骑手打电话骂人", "骑手让我自己下楼去拿", "骑手半路把餐弄丢了",
                "配送太慢了", "送得太慢", "送晚了", "超时了", "骑手联系不上", "外卖小哥不接电话",
                "等骑手等了{l}", "骑手接单后一直不动", "配送员态度恶劣", "骑手一路颠得汤都出来了，还说不关他事",
                "送到的时候已经过了{m}分钟"],
        "mild": ["送得稍微慢了点", "配送慢了几分钟", "骑手晚了一会儿", "配送有点慢"],
        "pos": ["骑手很准时", "外卖小哥很有礼貌", "送餐很快", "配送很快，半小时就到了", "小哥下雨天还准时送到，辛苦了",
                "骑手提前送到了", "配送速度很快", "骑手送到门口还说了祝您用餐愉快", "送得很快",
                "外卖小哥人很好", "{m}分钟就送到了", "配送准时", "骑手很细心，帮我把垃圾带下去了"],
        "neu": ["配送时间正常", "骑手送到{pl}打了电话", "配送大概{m}分钟", "配送一般", "骑手送到了",
                "配送费多少钱", "能不能送到{pl}", "预计送达时间有点久，不过能理解"],
    },
    "wait_time": {
        "neg": ["排队排了{l}", "出餐太慢了", "上菜慢死了", "等了{m}分钟菜还没上", "叫号半天还没轮到",
                "点完单等了半天", "后面来的都吃上了我们的还没上", "催了好几次还是没出餐", "出餐等了{l}",
                "上个菜要等{m}分钟", "等太久了", "上菜太慢", "等了半天", "商家出餐太慢，骑手都等急了",
                "{d}等了{l}才上", "饿着肚子等了{l}"],
        "mild": ["上菜稍微慢了点", "等了一会儿", "出餐有点慢", "排了一会儿队"],
        "pos": ["上菜很快", "出餐速度很快", "没怎么排队", "不到十分钟就上齐了", "刚坐下菜就上来了", "出餐快",
                "上菜速度没得说", "点完很快就好了", "中午高峰也没等多久"],
        "neu": ["等了二十分钟左右，还行", "周末要排队，正常", "上菜速度一般", "排队的人挺多的",
                "出餐时间正常", "大概等了{m}分钟", "要等多久能上菜"],
    },
    "service": {
        "neg": ["{w}态度很差", "{w}爱答不理的", "{w}翻白眼", "{w}很凶", "叫了好几次{w}都没人理",
                "{w}说话很冲", "{w}一直在玩手机不理人", "{w}对顾客大呼小叫", "{w}嫌我们点得少，脸色很难看",
                "问个问题{w}就不耐烦", "服务太差了", "态度恶劣", "服务态度很差", "没人招呼",
                "{w}把菜往桌上一摔", "{w}骂人", "{w}服务态度有问题"],
        "mild": ["{w}有点冷淡", "服务稍微差了点", "{w}不太热情", "服务有待提高"],
        "pos": ["{w}很热情", "{w}态度很好", "{w}人很好，还送了小菜", "服务很周到", "{w}很有耐心",
                "{w}主动帮我们加水", "服务很贴心", "{w}笑容很甜", "服务态度好", "服务满分",
                "{w}记得我的口味，很暖心", "服务好"],
        "neu": ["服务一般", "{w}挺忙的，顾不上", "服务中规中矩", "{w}态度还行", "服务正常", "服务还可以吧"],
    },
    "hygiene": {
        "neg": ["吃出头发了", "{d}里有头发", "又吃出头发", "{d}里有苍蝇", "吃出一只虫子", "{d}里有钢丝球的丝",
                "吃完拉肚子了", "吃了以后肚子疼", "餐具上有污渍没洗干净", "桌上有蟑螂在爬", "{d}里吃出一块塑料",
                "后厨很脏", "{d}里吃出一根长头发", "吃了{d}上吐下泻", "{d}里有个指甲", "{d}里有小石子",
                "碗边有口红印，根本没洗", "筷子上还有上一桌的饭粒", "吃出虫子了", "里面有头发", "有头发",
                "有苍蝇", "吃坏肚子了", "食物中毒进医院了", "{d}里面有一只死蟑螂", "看到后厨有老鼠",
                "杯子里有异物", "{d}里吃出创可贴", "吃完半夜肠胃炎犯了", "卫生太差了", "太不卫生了"],
        "mild": ["桌子有点油", "卫生稍微差点", "餐具有点水渍"],
        "pos": ["后厨干净卫生", "餐具都消毒过，很放心", "店员都戴口罩手套，卫生做得好", "吃得很放心",
                "卫生很好", "明厨亮灶，看着很干净", "卫生没问题", "从来没吃出过什么东西，放心"],
        "neu": ["卫生情况还行", "卫生一般吧", "希望注意一下卫生", "卫生还可以", "后厨看不到，不知道卫生怎么样"],
    },
    "packaging": {
        "neg": ["汤洒了一袋子", "{d}漏了", "餐盒破了", "包装太简陋了", "封口没封好，洒得到处都是", "盖子没盖紧",
                "{k}撒了一半", "汤汁漏得满袋子都是", "餐盒被压扁了", "袋子破了个洞", "{k}杯子裂了",
                "包装一打开全混在一起了", "洒了", "漏了", "撒了一地", "汤全洒了", "包装破了", "没有封口",
                "餐盒太薄，一碰就变形", "塑料袋都被油浸透了"],
        "mild": ["包装有点简单", "{k}稍微洒了一点", "盖子有点松"],
        "pos": ["包装很用心", "包装很严实，一点没洒", "餐盒很结实", "包装精致", "汤用双层袋装的，一滴没洒",
                "包装很好", "{k}封口封得很好", "打包很仔细，还分开装了", "包装干净整洁"],
        "neu": ["包装一般", "包装就是普通的塑料盒", "包装正常", "包装还行", "可以不要塑料袋吗", "包装中规中矩"],
    },
    "order_accuracy": {
        "neg": ["少送了一份{d}", "{d}没给", "送错了，不是我点的", "没给{sd}", "{sd}没放", "备注{nt}还是没做到",
                "备注了{nt}，完全无视", "点的{d}送成了{d}", "漏了一杯{k}", "少了一个{d}", "送来的根本不是我的单",
                "加的{sd}没给", "漏送了", "少送了", "又送错了", "少了东西", "没给餐具", "备注白写了",
                "点了两份只来了一份", "{k}要的{nt}，结果还是正常的", "套餐里的{k}没有"],
        "mild": ["{sd}少给了一份", "备注{nt}好像没注意"],
        "pos": ["备注的要求都做到了", "东西一样不少", "{sd}给得很齐全", "备注{nt}真的照做了，很贴心",
                "每次都没漏过", "东西都对", "备注看得很仔细", "还多给了{sd}"],
        "neu": ["东西都齐了", "下次能多给一双筷子吗", "备注{nt}能做到吗", "东西都到了", "可以不要{sd}吗",
                "{sd}要另外备注吗"],
    },
    "environment": {
        "neg": ["店里太吵了", "座位太挤", "空调不凉，热死了", "厕所又脏又臭", "店里一股油烟味", "桌子黏糊糊的",
                "灯光太暗了", "店里冷得要命，空调开太大", "座位硬邦邦的坐着难受", "地上都是垃圾没人扫",
                "装修很破旧", "店里人挤人", "环境很差", "太吵了", "没有座位", "门口堆满了杂物",
                "店里有股霉味", "音乐放得震耳朵"],
        "mild": ["店里有点吵", "座位稍微有点挤", "空调有点冷", "环境稍微差了点"],
        "pos": ["环境很好，装修很有格调", "店里很安静，适合聊天", "环境干净舒服", "座位宽敞", "装修很漂亮",
                "环境优雅", "店里很干净", "空调很舒服", "靠窗的位置风景很好", "环境不错", "适合带小朋友来",
                "店面很温馨"],
        "neu": ["环境一般", "店面不大，座位不多", "环境还行", "店里人挺多的", "环境普通", "有包间吗",
                "可以停车吗", "店里能不能带宠物"],
    },
    "app": {
        "neg": ["小程序付不了款", "app一直{bug}", "下单的时候系统{bug}", "优惠券在小程序里用不了", "积分一直没到账",
                "会员卡充值了余额不显示", "扫码点单扫不出来", "app登录不上", "小程序付款{bug}",
                "支付成功了订单却显示未支付", "小程序改不了地址", "点单系统太难用了", "会员积分莫名其妙清零了",
                "app更新以后更难用了", "小程序一直{bug}", "付不了款", "扫码没反应", "app又{bug}了",
                "下单页面{bug}，根本点不了"],
        "mild": ["小程序有点卡", "app稍微有点慢", "点单页面有点乱"],
        "pos": ["小程序点单很方便", "app很好用", "扫码点餐很快", "小程序界面很清楚", "会员积分能抵钱，很实用",
                "用app下单不用排队，方便", "小程序支付很顺畅", "点单系统很方便"],
        "neu": ["小程序怎么查积分", "app上能开发票吗", "请问会员怎么开通", "小程序能预约吗", "积分怎么兑换",
                "小程序里的优惠券在哪领", "app可以改手机号吗"],
    },
    "refund": {
        "neg": ["申请退款一直没处理", "客服踢皮球", "退款被驳回了", "投诉了没人管", "说好的补偿一直没到",
                "退款{s}天了还没到账", "客服只会说抱歉，不解决问题", "商家拒绝退款", "申请售后没人理",
                "客服电话打不通", "找客服处理半天没结果", "退款流程太麻烦", "客服态度敷衍",
                "投诉三次都没回复", "不给退款"],
        "mild": ["退款稍微慢了点", "客服回复有点慢"],
        "pos": ["客服处理得很快，马上退款了", "退款很及时", "客服态度很好，还给了补偿", "售后很负责",
                "投诉后很快就解决了", "商家主动退了钱", "客服很耐心", "退款秒到账", "补送得很快"],
        "neu": ["退款已经收到了", "怎么申请退款", "退款什么时候到账", "退款到原支付方式吗", "售后电话是多少",
                "已经联系客服了，等处理", "退款申请提交了"],
    },
}

# Sentences with no topic of the taxonomy.
GENERAL = {
    "neg": ["再也不来了", "太失望了", "差评", "非常不满意", "一次很糟糕的体验", "不会再点这家了",
            "踩雷了", "真的无语", "浪费钱", "后悔点了这家", "拉黑了", "越来越差了"],
    "pos": ["好评", "下次还来", "总体很满意", "五星好评", "非常推荐", "会回购的", "吃得很开心",
            "强烈推荐", "已经推荐给同事了", "老顾客了，一直支持", "很棒的一次体验", "满意"],
    "neu": ["今天和家人一起来的", "第一次点这家", "中午在公司点的", "帮朋友点的", "还没吃，先评价",
            "一般吧", "就那样", "没什么可说的", "还行", "正常水平", "路过顺便吃的", "周末带孩子来的",
            "这是第二次来", "听同事推荐来的", "你们几点关门", "周末营业吗", "有没有新品", "可以开发票吗"],
}

TAIL = {
    "neg": ["，差评", "，太失望了", "，不会再点了", "，无语", "，服了", "，气死了", "，什么玩意", "😡", "😤",
            "！！", "，垃圾", "，避雷", "，坑人", "，体验很差"],
    "pos": ["，好评", "，下次还来", "，推荐", "，五星", "👍", "😋", "！", "，赞", "，会回购", "，满意"],
    "neu": ["", "。", "，还行吧", "，总体一般", "，凑合", "，没什么特别的"],
}
CONTEXT = ["今天中午点的外卖，", "第二次来这家店，", "和朋友来吃饭，", "晚上加班点的，", "周末带家人来吃，",
           "昨天晚上点的，", "一早点的早餐，", "公司聚餐来的，", "在这家店点过很多次了，", "第一次尝试，",
           "下雨天点的外卖，", "今天点了{d}，", "点了个{d}，", "早上点的{d}，", "点的{d}套餐，"]
MIX_NEUTRAL = ["，就是", "，但是", "，不过", "，可惜", "，只是", "，唯一的缺点是"]
MIX_NEG = ["，但是", "，可是", "，结果", "，然而"]

# Voice transcripts (ASR output): no punctuation, fillers, spoken openers.
FILLERS = ["嗯", "那个", "就是", "然后", "呃", "额", "啊", "就是说", "这个", "怎么说呢", "对吧",
           "你知道吗", "反正", "其实", "我觉得吧", "吧", "哎", "嗯嗯", "那个那个", "就是那个", "然后呢"]
OPENERS = {"any": ["喂你好", "我想反馈一下", "我想说一下", "跟你们说一下", "喂", "我跟你说啊", "就是想说"],
           "negative": ["我要投诉", "我反映个问题", "我想投诉一下"],
           "positive": ["我想表扬一下", "想夸一下你们"],
           "neutral": ["你好我想问一下", "问一下"]}

# Hand-written sentences (text, sentiment, topics), in addition to the templates.
HAND = [
    ("酸菜鱼的鱼片很嫩，酸汤开胃，就是辣椒放多了点", "neutral", ["taste"]),
    ("牛肉面汤头浓郁，面条劲道，牛肉也给得多", "positive", ["taste", "portion"]),
    ("骑手送错地址，打电话过去还说是我写错了", "negative", ["delivery"]),
    ("打开盖子发现里面有根头发，瞬间没胃口了", "negative", ["hygiene"]),
    ("点了三个菜只来了两个，打电话商家说忘了", "negative", ["order_accuracy"]),
    ("奶茶封口膜破了，洒得整个袋子都是", "negative", ["packaging"]),
    ("冬天点的粥送到还是烫的，保温袋很给力", "positive", ["temperature", "packaging"]),
    ("价格比去年涨了五块，分量反而少了", "negative", ["price", "portion"]),
    ("客服说会补偿一张优惠券，到现在也没看到", "negative", ["refund"]),
    ("小程序下单排队号直接到手机上，不用在店里干等", "positive", ["app", "wait_time"]),
    ("店里空调开得很足，夏天来吃很舒服", "positive", ["environment"]),
    ("老板娘人很好，看我一个人还多给了一碗汤", "positive", ["service", "portion"]),
    ("味道跟堂食差不多，外卖也能吃到这个水平挺好", "positive", ["taste"]),
    ("炸鸡外皮一点都不脆了，软塌塌的", "negative", ["taste"]),
    ("鸡蛋饼里面还是生面糊", "negative", ["quality"]),
    ("烤串一半是焦黑的", "negative", ["quality"]),
    ("虾是冻虾，解冻后一股腥味", "negative", ["quality", "taste"]),
    ("米粉泡得太久全烂了", "negative", ["taste"]),
    ("鱼香肉丝里一根肉丝都找不到", "negative", ["portion"]),
    ("送来的饭盒里只有半盒饭", "negative", ["portion"]),
    ("一份炒饭够我吃两顿", "positive", ["portion"]),
    ("这个价钱在商场里算便宜的了", "positive", ["price"]),
    ("两个人吃了三百多，有点不值", "negative", ["price"]),
    ("会员日半价，很划算", "positive", ["price"]),
    ("外卖比堂食贵了一截，还要收打包费", "negative", ["price"]),
    ("骑手说电梯坏了让我下楼拿，我住十八楼", "negative", ["delivery"]),
    ("订单显示骑手在五公里外绕了一大圈", "negative", ["delivery"]),
    ("下大雪骑手还是按时送到了，多给了个好评", "positive", ["delivery"]),
    ("排了四十分钟队，进去发现一半桌子是空的", "negative", ["wait_time"]),
    ("提前在小程序点好，到店直接取，很快", "positive", ["app", "wait_time"]),
    ("服务员把汤洒在我衣服上，连句对不起都没有", "negative", ["service"]),
    ("收银员算错钱，还不承认", "negative", ["service", "price"]),
    ("服务员主动提醒我们点多了，很实在", "positive", ["service"]),
    ("店员把我的单弄丢了，让我重新排队", "negative", ["service", "order_accuracy"]),
    ("凉菜里吃出一只小飞虫", "negative", ["hygiene"]),
    ("看见厨师不戴手套直接抓菜", "negative", ["hygiene"]),
    ("吃完以后全家都拉肚子，肯定是菜有问题", "negative", ["hygiene"]),
    ("勺子上有一层油，明显没洗干净", "negative", ["hygiene"]),
    ("汤盒外面还套了一层保鲜膜，很细心", "positive", ["packaging"]),
    ("餐盒是可降解的，环保点赞", "positive", ["packaging"]),
    ("饮料和热菜装一个袋子里，冰都化了", "negative", ["packaging", "temperature"]),
    ("备注了不要辣，结果每道菜都是红油", "negative", ["order_accuracy"]),
    ("点的大杯送来小杯", "negative", ["order_accuracy"]),
    ("送了别人的外卖给我，我的不知道去哪了", "negative", ["order_accuracy", "delivery"]),
    ("吃饭的时候旁边一桌在抽烟，也没人管", "negative", ["environment", "service"]),
    ("洗手间没有纸也没有洗手液", "negative", ["environment"]),
    ("店里装修很有特色，拍照很好看", "positive", ["environment"]),
    ("小程序领的券结账时用不了，店员说系统问题", "negative", ["app"]),
    ("点单的时候系统突然崩了，付了钱没出单", "negative", ["app", "order_accuracy"]),
    ("积分可以换饮料，挺好", "positive", ["app"]),
    ("app里的菜单和店里的不一样", "negative", ["app"]),
    ("退款申请了一周了，一直显示处理中", "negative", ["refund"]),
    ("客服让我拍照上传，传了又说看不清，来回折腾", "negative", ["refund"]),
    ("商家看到差评就打电话骚扰我", "negative", ["service"]),
    ("东西不好吃，找客服给退了一半钱，处理还算快", "neutral", ["taste", "refund"]),
    ("环境很好，菜也好吃，就是价格贵了点", "neutral", ["environment", "taste", "price"]),
    ("味道还可以，但是等了一个小时才送到，饭都凉了", "negative", ["taste", "delivery", "temperature"]),
    ("服务员很热情，可惜菜太咸了", "neutral", ["service", "taste"]),
    ("菜品一般，胜在便宜", "neutral", ["taste", "price"]),
    ("好吃是好吃，就是量太少", "neutral", ["taste", "portion"]),
    ("送餐挺快的，包装也严实", "positive", ["delivery", "packaging"]),
    ("不好吃，而且贵", "negative", ["taste", "price"]),
    ("吃着还行，下次可能还会点", "positive", ["taste"]),
    ("今天的米饭比平时硬", "negative", ["taste"]),
    ("一直很喜欢这家，今天的却有点失望，肉不新鲜", "negative", ["quality"]),
    ("没想到外卖也能做得这么精致", "positive", ["packaging"]),
    ("订单被取消了也没人通知我", "negative", ["order_accuracy"]),
    ("等了半天被告知卖完了", "negative", ["wait_time", "service"]),
    ("菜上错了桌，服务员拿回去又端给别人", "negative", ["order_accuracy", "service", "hygiene"]),
    ("点评上的团购券到店不给用", "negative", ["price", "service"]),
    ("我点的是套餐，怎么没有饮料", "negative", ["order_accuracy"]),
    ("请问你们外卖送不送到大学城", "neutral", ["delivery"]),
    ("奶茶的糖度可以选三分糖吗", "neutral", ["taste"]),
    ("我想知道你们的油是什么油", "neutral", ["quality"]),
    ("订单备注了发票抬头，记得开", "neutral", ["order_accuracy"]),
    ("骑手放外卖柜了，取餐码发短信了", "neutral", ["delivery"]),
    ("今天的汤有点淡，其他都还行", "neutral", ["taste"]),
    ("量足价低，学生党福音", "positive", ["portion", "price"]),
    ("味道很好，价格也合适，就是店里太小了", "neutral", ["taste", "price", "environment"]),
    ("鸡腿外焦里嫩，一口下去全是汁", "positive", ["taste"]),
    ("面条煮过头了，一夹就断", "negative", ["taste"]),
    ("骑手把餐挂在门把手上就走了，汤全洒地上", "negative", ["delivery", "packaging"]),
    ("包子馅少皮厚，咬了两口才见到肉", "negative", ["portion", "taste"]),
    ("包装盒有股塑料味，很难闻", "negative", ["packaging"]),
    ("老板在店里骂员工，吃得很不舒服", "negative", ["service", "environment"]),
    ("店里桌子都是油，地也滑", "negative", ["environment", "hygiene"]),
    ("头发丝夹在饭里，恶心", "negative", ["hygiene"]),
    ("饮料里有一只小虫，喝了一半才发现", "negative", ["hygiene"]),
    ("盒饭里吃出半截烟头", "negative", ["hygiene"]),
]


# ------------------------------------------------------------------ generation

R = random.Random(SEED)
_SLOT = re.compile(r"\{(\w+)\}")
T_WEIGHT = {"taste": 1.3, "quality": 1.3, "order_accuracy": 1.2}  # the weakest topics get more


def fill(t):
    return _SLOT.sub(lambda m: R.choice(SLOTS[m.group(1)]), t)


def topic_pick(exclude=()):
    ts = [t for t in common.TOPICS if t not in exclude]
    return R.choices(ts, weights=[T_WEIGHT.get(t, 1.0) for t in ts])[0]


def clause(topic, pol):
    return fill(R.choice(BANK[topic][pol]))


def end(text, pol):
    if text[-1] in "！。？!?😡😤👍😋":
        return text
    return text + R.choice(["", "", "。", "！"] if pol != "neu" else ["", "", "。"])


def maybe_context(text):
    if R.random() < 0.18:
        return fill(R.choice(CONTEXT)) + text
    return text


SENT = {"neg": "negative", "pos": "positive", "neu": "neutral"}


def gen_one():
    r = R.random()
    if r < 0.30:  # one clause, often very short
        pol = R.choices(["neg", "pos", "neu"], [0.42, 0.34, 0.24])[0]
        t = topic_pick()
        text = clause(t, pol)
        if pol == "neg" and R.random() < 0.15:
            text = R.choice(["又", "再次", "这次又", "居然", "竟然", "怎么又"]) + text
        return end(maybe_context(text), pol), SENT[pol], [t]
    if r < 0.45:  # clause + evaluative tail
        pol = R.choices(["neg", "pos", "neu"], [0.45, 0.40, 0.15])[0]
        t = topic_pick()
        c = clause(t, pol)
        if pol == "neu" and re.search("吗|呢|请问|怎么|多少|什么|几|能不能|可以", c):
            return end(c, pol), SENT[pol], [t]  # a question takes no evaluative tail
        return maybe_context(c + R.choice(TAIL[pol])), SENT[pol], [t]
    if r < 0.65:  # two clauses, same polarity
        pol = R.choices(["neg", "pos"], [0.55, 0.45])[0]
        t1 = topic_pick()
        t2 = topic_pick(exclude=(t1,))
        sep = R.choice(["，", "，而且", "，还", "，", "，另外", "；", "，并且"])
        if pol == "pos":
            sep = R.choice(["，", "，而且", "，", "，另外", "；"])
        text = clause(t1, pol) + sep + clause(t2, pol)
        if R.random() < 0.3:
            text += R.choice(TAIL[pol])
        return end(maybe_context(text), pol), SENT[pol], [t1, t2]
    if r < 0.77:  # praise + mild complaint (or the reverse) = neutral
        t1 = topic_pick()
        t2 = topic_pick(exclude=(t1,))
        if R.random() < 0.7:
            text = clause(t1, "pos") + R.choice(MIX_NEUTRAL) + clause(t2, "mild")
        else:
            text = clause(t2, "mild") + R.choice(["，不过", "，但", "，但是"]) + clause(t1, "pos")
        return end(maybe_context(text), "neu"), "neutral", [t1, t2]
    if r < 0.85:  # praise + serious problem = negative
        t1 = topic_pick()
        t2 = topic_pick(exclude=(t1,))
        text = clause(t1, "pos") + R.choice(MIX_NEG) + clause(t2, "neg")
        text += R.choice(["", "", "，差评", "，体验很差", "，扣分", "，太扫兴了"])
        return end(text, "neg"), "negative", [t1, t2]
    if r < 0.90:  # neutral pairs
        t1 = topic_pick()
        t2 = topic_pick(exclude=(t1,))
        return end(clause(t1, "neu") + "，" + clause(t2, "neu"), "neu"), "neutral", [t1, t2]
    # no topic
    pol = R.choices(["neg", "pos", "neu"], [0.3, 0.3, 0.4])[0]
    return end(R.choice(GENERAL[pol]), pol), SENT[pol], []


_PUNCT = re.compile(r"[，。！？；：、,.!?;:~…\"'“”‘’（）()【】\[\]\s]+")
_EMOJI = re.compile("[\U0001F300-\U0001FAFF]")


def to_voice(text, s):
    """Voice-transcript style: punctuation and emoji dropped, fillers at the start and at clause
    breaks, sometimes a spoken opener, sometimes a repeated word (ASR stutter)."""
    parts = [p for p in _PUNCT.split(_EMOJI.sub("", text)) if p]
    out = []
    if R.random() < 0.35:
        out.append(R.choice(OPENERS["any"] + OPENERS[s]))
    if R.random() < 0.7:
        out.append(R.choice(FILLERS))
    for i, p in enumerate(parts):
        if i and R.random() < 0.6:
            out.append(R.choice(FILLERS))
        if R.random() < 0.1 and len(p) > 3:
            p = p[:2] + p[:2] + p[2:]
        out.append(p)
    if R.random() < 0.2:
        out.append(R.choice(["啊", "吧", "呢", "哈", "嘛"]))
    return "".join(out)


def key(text):
    """Comparison key against the validation sentences: Simplified, no punctuation, no fillers."""
    t = common.normalize(text)
    t = _PUNCT.sub("", _EMOJI.sub("", t))
    for f in sorted(FILLERS + ["嗯", "呃"], key=len, reverse=True):
        t = t.replace(f, "")
    return t


def main():
    val_keys = {key(r["text"]) for r in common.load_restaurant_val()}
    old = {r["text"] for r in common.load_restaurant_train() if r["source"] != "train_c.jsonl"}
    rows, seen = [], set()
    dropped_val = dropped_old = 0

    def add(text, s, topics):
        nonlocal dropped_val, dropped_old
        k = key(text)
        if not k or text in seen:
            return
        if k in val_keys:
            dropped_val += 1
            return
        if text in old:
            dropped_old += 1
            return
        seen.add(text)
        rows.append({"text": text, "sentiment": s, "topics": sorted(set(topics), key=common.TOPICS.index)})

    for text, s, topics in HAND:
        add(text, s, topics)
    tries = 0
    while len(rows) < N_TARGET and tries < N_TARGET * 20:
        tries += 1
        text, s, topics = gen_one()
        u = R.random()
        if u < 0.18:
            text = to_voice(text, s)
        elif u < 0.26:
            text = common.to_traditional(text)
        add(text, s, topics)
    R.shuffle(rows)
    # also drop a sentence that contains a whole validation sentence of 5+ characters as a clause
    long_val = [k for k in val_keys if len(k) >= 5]
    kept = [r for r in rows if not any(v in key(r["text"]) for v in long_val)]
    dropped_val += len(rows) - len(kept)
    rows = kept
    path = os.path.join(common.DATA, "train_c.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    from collections import Counter
    print(f"wrote {len(rows)} sentences to {path}; dropped {dropped_val} that match a validation "
          f"sentence, {dropped_old} already in train_a/train_b")
    print(Counter(r["sentiment"] for r in rows))
    print(Counter(t for r in rows for t in r["topics"]))


if __name__ == "__main__":
    main()
