# ruff: noqa: RUF001, RUF002 - natural-language text: its punctuation is meant.
"""Vietnamese demo conversations.

Agents address customers as "anh" or "chị" by the customer's gender (‹anh|chị› picks by the
reader); customers write to the shop as "bạn". Placeholders as in lang_en.
"""

from __future__ import annotations

from datetime import date

LANGUAGE = "vi"
GREETING = "Chào ‹anh|chị› {first},"
AGENT_SIGNOFF = "Trân trọng,\n{agent}\nBộ phận Chăm sóc khách hàng Brightleaf"
CUSTOMER_SIGNOFFS = ("Cảm ơn,\n{name}", "Trân trọng,\n{name}", "Xin cảm ơn!\n{first}")

COMMON: dict[str, tuple[str, ...]] = {
    "nudge": (
        "Có tin gì mới về yêu cầu này chưa bạn?",
        "Tôi hỏi lại về yêu cầu của mình, đã có cập nhật gì chưa ạ?",
        "Tôi vẫn đang chờ phản hồi, nhờ bạn kiểm tra giúp.",
    ),
    "ask_more": (
        "‹Anh|Chị› gửi giúp tôi ảnh chụp màn hình thông báo lỗi được không ạ? Như vậy chúng tôi sẽ "
        "xác định nguyên nhân nhanh hơn.",
        "‹Anh|Chị› xác nhận giúp tôi địa chỉ email hoặc mã đơn hàng đã dùng để tôi tìm đúng tài khoản nhé.",
    ),
    "more_info": (
        "Tôi gửi đây, tôi cũng đã mô tả ở trên. Cần thêm gì bạn cứ báo nhé.",
        "Dạ, vẫn là mã đơn hàng trong tin nhắn đầu tiên của tôi.",
    ),
    "holding": (
        "Cảm ơn ‹anh|chị›, tôi đã chuyển thông tin cho bộ phận phụ trách và sẽ phản hồi ngay khi có kết quả.",
    ),
    "hold_note": ("Đang chờ phản hồi từ bên thứ ba; chuyển sang trạng thái tạm dừng.",),
    "escalation_note": ("Đã chuyển bộ phận kỹ thuật kèm nhật ký và các bước tái hiện lỗi.",),
    "share_note": ("Chị Joanna kiểm tra giúp em khoản hoàn tiền này trên hệ thống tài chính nhé.",),
    "collab_note": ("Đã kiểm tra trên hệ thống tài chính: khoản hoàn tiền đã được chuyển đi hôm nay.",),
    "duplicate": (
        "Tôi đã gửi yêu cầu này qua kênh khác nhưng chưa thấy phản hồi. Nhờ bạn xem giúp tin nhắn "
        "trước của tôi.",
    ),
}

SCENARIOS: dict[str, dict[str, str | tuple[str, ...]]] = {
    "password_reset": {
        "subjects": ("Không đặt lại được mật khẩu", "Không nhận được email đặt lại mật khẩu"),
        "opening": "Chào bạn, hôm nay tôi đã thử đặt lại mật khẩu ba lần nhưng vẫn không nhận được "
        "email nào, kể cả trong thư mục spam. Tài khoản của tôi đăng ký bằng địa chỉ email này. Nhờ "
        "bạn giúp tôi đăng nhập lại được không?",
        "reply": "Cảm ơn ‹anh|chị› đã liên hệ. Tôi thấy hôm nay tài khoản của ‹anh|chị› có ba yêu cầu "
        "đặt lại mật khẩu; hệ thống ghi nhận email đã được gửi đi nhưng bị nhà cung cấp dịch vụ email "
        "của ‹anh|chị› tạm hoãn. Tôi vừa gửi lại một đường link mới, có hiệu lực trong 60 phút. Nếu "
        "sau 10 phút ‹anh|chị› vẫn chưa nhận được, xin báo lại để tôi đặt mật khẩu tạm thời cho "
        "‹anh|chị›.",
        "followup": "Lần này tôi đã nhận được link và đặt mật khẩu mới thành công. Mọi thứ hoạt động "
        "bình thường rồi, cảm ơn bạn nhiều!",
        "closing": "Rất vui vì ‹anh|chị› đã đăng nhập lại được. Lần sau ‹anh|chị› có thể thêm địa chỉ "
        "email của chúng tôi vào danh bạ để thư đến nhanh hơn. Tôi xin đóng yêu cầu này; nếu cần hỗ "
        "trợ thêm, ‹anh|chị› chỉ cần trả lời email này.",
        "note": "Nhật ký email cho thấy nhà cung cấp của khách trả về lỗi 451 (tạm hoãn). Đã gửi lại "
        "link thủ công.",
    },
    "two_factor": {
        "subjects": (
            "Mất điện thoại, không đăng nhập được (xác thực hai bước)",
            "Mã xác thực hai bước không được chấp nhận",
        ),
        "opening": "Điện thoại của tôi bị mất cắp vào {date}, mất luôn ứng dụng xác thực nên tôi không "
        "lấy được mã hai bước để đăng nhập. Tôi cũng không lưu mã dự phòng. Làm sao để tôi lấy lại "
        "quyền truy cập tài khoản?",
        "reply": "Rất tiếc về việc ‹anh|chị› bị mất điện thoại. Để bảo vệ tài khoản, chúng tôi cần xác "
        "minh danh tính trước khi tắt xác thực hai bước. ‹Anh|Chị› vui lòng gửi cho tôi mã đơn hàng "
        "gần nhất và bốn số cuối của thẻ đã dùng để thanh toán đơn đó.",
        "followup": "Dạ, đơn hàng gần nhất của tôi là {order}, thanh toán bằng thẻ có bốn số cuối {last4}.",
        "closing": "Cảm ơn ‹anh|chị›, thông tin trùng khớp với dữ liệu của chúng tôi. Tôi đã tắt xác "
        "thực hai bước cho tài khoản, giờ ‹anh|chị› có thể đăng nhập bằng mật khẩu. Khi có điện thoại "
        "mới, ‹anh|chị› nhớ bật lại tính năng này trong Cài đặt > Bảo mật và cất giữ các mã dự phòng "
        "mới ở nơi an toàn nhé.",
        "note": "Đã xác minh danh tính qua đơn hàng gần nhất và bốn số cuối của thẻ. Đã đặt lại 2FA.",
    },
    "change_email": {
        "subjects": ("Nhờ đổi địa chỉ email của tài khoản", "Cập nhật email đăng nhập"),
        "opening": "Xin chào, tôi vừa chuyển công ty và đến cuối tháng sẽ không dùng được hộp thư này "
        "nữa. Nhờ bạn chuyển tài khoản của tôi sang địa chỉ email cá nhân mới. Nếu cần, tôi có thể "
        "xác nhận từ cả hai địa chỉ.",
        "reply": "Dạ được ạ. Vì lý do bảo mật, chúng tôi sẽ gửi một đường link xác nhận tới địa chỉ mới "
        "trước khi thay đổi có hiệu lực. ‹Anh|Chị› vui lòng trả lời kèm địa chỉ mới và bấm vào link "
        "khi nhận được; lịch sử đơn hàng và các thiết bị của ‹anh|chị› vẫn giữ nguyên.",
        "followup": "Địa chỉ mới ở phần chữ ký bên dưới. Tôi vừa bấm vào link xác nhận rồi.",
        "closing": "Cảm ơn ‹anh|chị›, thay đổi đã được xác nhận và từ nay ‹anh|chị› đăng nhập bằng địa "
        "chỉ mới. Địa chỉ cũ sẽ không nhận thư từ chúng tôi nữa. Chúc ‹anh|chị› thuận lợi ở công việc "
        "mới!",
        "note": "Đã xác nhận khách sở hữu cả hai địa chỉ trước khi đổi.",
    },
    "double_charge": {
        "subjects": ("Bị trừ tiền hai lần cho đơn {order}", "Thẻ bị thanh toán trùng"),
        "opening": "Tôi đặt đơn {order} vào {date} nhưng sao kê ngân hàng hiện hai lần trừ tiền, mỗi "
        "lần {amount}. Tôi chỉ đặt một lần thôi. Nhờ bạn hoàn lại khoản bị trừ thừa.",
        "reply": "Thành thật xin lỗi ‹anh|chị› về sự cố này. Tôi đã kiểm tra đơn {order}: do lỗi hết "
        "thời gian chờ lúc thanh toán, cổng thanh toán đã trừ tiền hai lần. Tôi vừa hoàn lại khoản trừ "
        "trùng {amount}. Tùy ngân hàng, tiền sẽ về tài khoản trong 3 đến 5 ngày làm việc.",
        "followup": "Cảm ơn bạn. Tôi đã thấy khoản hoàn tiền đang chờ xử lý trong ứng dụng ngân hàng.",
        "closing": "Vậy là tiền đang trên đường về rồi ạ. Chúng tôi cũng đã báo lỗi này cho đối tác "
        "thanh toán để tránh lặp lại. Một lần nữa xin lỗi ‹anh|chị› vì sự bất tiện.",
        "note": "Cổng thanh toán xác nhận trừ tiền trùng; đã hoàn lần trừ thứ hai.",
    },
    "refund_request": {
        "subjects": ("Hoàn tiền cho {device} đã trả lại", "Khi nào tôi nhận được tiền hoàn?"),
        "opening": "Tôi đã gửi trả {device} của đơn {order} hai tuần trước, theo mã vận đơn thì kho của "
        "bạn đã nhận hàng vào {date}. Đến giờ tôi vẫn chưa nhận được khoản hoàn {amount}. Bạn kiểm "
        "tra giúp tôi được không?",
        "reply": "Cảm ơn ‹anh|chị› đã kiên nhẫn chờ. Hàng trả đã về kho vào {date} và hôm qua đã kiểm "
        "tra xong. Hôm nay tôi đã duyệt hoàn {amount} về phương thức thanh toán ban đầu; ‹anh|chị› "
        "sẽ sớm nhận được email xác nhận.",
        "followup": "Tôi nhận được email xác nhận rồi. Khoảng bao lâu thì tiền về lại thẻ vậy bạn?",
        "closing": "Tiền hoàn về thẻ thường mất 3 đến 5 ngày làm việc, một số ngân hàng có thể đến 10 "
        "ngày. Nếu đến lúc đó vẫn chưa thấy, ‹anh|chị› cứ trả lời ở đây, tôi sẽ gửi mã giao dịch để "
        "‹anh|chị› đối chiếu với ngân hàng.",
        "note": "Hàng trả kiểm tra đạt; đã duyệt hoàn tiền.",
    },
    "invoice_address": {
        "subjects": ("Địa chỉ công ty trên hóa đơn bị sai", "Nhờ điều chỉnh hóa đơn {invoice}"),
        "opening": "Hóa đơn {invoice} của đơn hàng {order} ghi địa chỉ văn phòng cũ của chúng tôi và "
        "thiếu mã số thuế. Bộ phận kế toán không thể hạch toán như vậy. Bạn có thể xuất lại hóa đơn "
        "điều chỉnh không?",
        "reply": "Dạ được ạ. ‹Anh|Chị› vui lòng gửi giúp địa chỉ xuất hóa đơn và mã số thuế chính xác "
        "như cần hiển thị, tôi sẽ xuất hóa đơn điều chỉnh thay thế cho {invoice}.",
        "followup": "Cảm ơn bạn. Nhờ bạn dùng địa chỉ trong chữ ký bên dưới, mã số thuế tôi ghi ngay "
        "dưới địa chỉ.",
        "closing": "Đã xong ạ: hóa đơn điều chỉnh đã có trong tài khoản của ‹anh|chị› tại mục Đơn hàng "
        "> Hóa đơn và thay thế cho {invoice}. Tôi cũng đã gửi bản sao qua email. Nếu bộ phận kế toán "
        "cần thêm gì, ‹anh|chị› cứ báo nhé.",
        "note": "Đã xuất hóa đơn điều chỉnh; đã hủy hóa đơn cũ trên hệ thống.",
    },
    "cancel_subscription": {
        "subjects": ("Hủy gói Brightleaf Plus", "Làm sao để dừng thanh toán hằng tháng?"),
        "opening": "Nhờ bạn hủy gói Brightleaf Plus của tôi. Tôi không còn dùng tính năng lưu video "
        "trên đám mây nữa và không muốn bị trừ {amount} vào tháng sau.",
        "reply": "Tôi có thể hỗ trợ ‹anh|chị› việc này. Trước khi hủy, xin lưu ý gói của ‹anh|chị› sẽ "
        "gia hạn vào {date}; nếu hủy bây giờ, ‹anh|chị› vẫn dùng đầy đủ tính năng đến ngày đó. "
        "‹Anh|Chị› muốn hủy vào cuối kỳ, hay chuyển sang gói rẻ hơn với 7 ngày lưu trữ?",
        "followup": "Bạn hủy vào cuối kỳ giúp tôi nhé. Tôi không cần gói rẻ hơn.",
        "closing": "Đã xong ạ. Gói của ‹anh|chị› sẽ kết thúc vào {date} và sẽ không bị trừ tiền nữa. "
        "Các thiết bị vẫn hoạt động bình thường, chỉ có lịch sử video trên đám mây là dừng lại. Cảm ơn "
        "‹anh|chị› đã đồng hành cùng Brightleaf, hẹn gặp lại ‹anh|chị› bất cứ lúc nào.",
        "note": "Khách từ chối ưu đãi giữ chân. Đã hủy vào cuối kỳ.",
    },
    "payment_declined": {
        "subjects": ("Thanh toán bị từ chối khi đặt hàng", "Thẻ liên tục bị từ chối"),
        "opening": 'Tôi đang thanh toán đơn hàng nhưng trang thanh toán cứ báo "giao dịch bị từ chối". '
        "Ngân hàng bảo thẻ có bốn số cuối {last4} của tôi không có vấn đề gì. Chuyện gì vậy bạn?",
        "reply": "Cảm ơn ‹anh|chị› đã cung cấp thông tin. Hệ thống cho thấy ngân hàng yêu cầu xác thực "
        "3-D Secure, nhưng cửa sổ xác thực đã bị đóng trước khi hoàn tất nên giao dịch bị từ chối. "
        "‹Anh|Chị› thử thanh toán lại và xác nhận trong ứng dụng ngân hàng khi được hỏi nhé. Đôi khi "
        "trình chặn cửa sổ bật lên làm ẩn cửa sổ này.",
        "followup": "Đúng là vậy, cửa sổ xác nhận bị che sau một cửa sổ khác. Giờ thanh toán thành công rồi.",
        "closing": "Tuyệt quá, bên tôi cũng thấy đơn hàng đã được xác nhận. Cảm ơn ‹anh|chị› đã báo "
        "lại, chúc ‹anh|chị› dùng thiết bị mới vui vẻ!",
        "note": "Khách bỏ dở bước xác thực 3DS (hết thời gian). Không phải lỗi thẻ.",
    },
    "late_delivery": {
        "subjects": ("Đơn {order} vẫn chưa giao", "Gói hàng của tôi đang ở đâu?"),
        "opening": "Đơn hàng {order} của tôi lẽ ra phải giao vào {date} nhưng đến giờ vẫn chưa nhận "
        "được, trạng thái vận chuyển cũng không thay đổi suốt bốn ngày. Bạn kiểm tra giúp tôi hàng "
        "đang ở đâu với.",
        "reply": "Xin lỗi ‹anh|chị› vì phải chờ lâu. Tôi đã liên hệ đơn vị vận chuyển: kiện hàng (mã "
        "vận đơn {tracking}) bị giữ lại ở trung tâm phân loại do nhãn bị hỏng. Họ đã dán nhãn mới và "
        "đang giao lại; dự kiến ‹anh|chị› sẽ nhận được trong vòng hai ngày làm việc.",
        "followup": 'Hôm nay vẫn chưa thấy gì, trang theo dõi còn báo "ngoại lệ". Tôi có cần lo không?',
        "closing": "Tôi vừa kiểm tra lại, đơn vị vận chuyển xác nhận kiện hàng đã được giao vào tủ nhận "
        "hàng của ‹anh|chị› sáng nay. Nếu không thấy hàng, ‹anh|chị› báo tôi, tôi sẽ gửi hàng thay "
        "thế ngay.",
        "note": "Đã mở yêu cầu tra soát với hãng vận chuyển, mã tham chiếu lưu trong đơn hàng.",
    },
    "damaged_package": {
        "subjects": ("Hàng giao đến bị hư hỏng", "{device} bị hỏng khi nhận hàng"),
        "opening": "Hộp đựng {device} của tôi (đơn {order}) giao đến bị móp méo và thiết bị không bật "
        "lên được. Tôi vẫn giữ nguyên bao bì. Tôi nên làm gì?",
        "reply": "Thành thật xin lỗi ‹anh|chị› về tình trạng này. ‹Anh|Chị› không cần gửi trả gì trước: "
        "tôi đã tạo đơn thay thế và hàng sẽ được gửi đi trong hôm nay. Khi giao hàng mới, nhân viên "
        "giao hàng sẽ thu lại thiết bị hỏng, ‹anh|chị› chỉ cần chuẩn bị sẵn bao bì.",
        "followup": "Tôi đã nhận được hàng thay thế, dùng rất tốt. Nhân viên giao hàng đã lấy lại máy "
        "hỏng rồi.",
        "closing": "Cảm ơn ‹anh|chị› đã xác nhận. Bên tôi đã hoàn tất hồ sơ khiếu nại với đơn vị vận "
        "chuyển. Chúc ‹anh|chị› dùng {device} vui vẻ!",
        "note": "Đã gửi hàng thay thế miễn phí; đã lập hồ sơ khiếu nại với hãng vận chuyển.",
    },
    "wrong_item": {
        "subjects": ("Nhận sai sản phẩm", "Đặt {device} nhưng nhận hàng khác"),
        "opening": "Tôi đặt {device} (đơn {order}) nhưng trong hộp lại là một mẫu khác. Nếu được, tôi "
        "cần có {device} trước cuối tuần.",
        "reply": "Xin lỗi ‹anh|chị› vì sự nhầm lẫn. Hôm nay tôi đã gửi {device} đúng mẫu bằng hình thức "
        "giao nhanh, mã vận đơn {tracking}. ‹Anh|Chị› sẽ nhận được nhãn gửi trả trả trước qua email cho "
        "sản phẩm bị giao nhầm, không cần gấp đâu ạ.",
        "followup": "Sáng nay tôi đã nhận được {device}, cảm ơn bạn. Trong tuần này tôi sẽ gửi trả hộp "
        "kia ở bưu điện.",
        "closing": "Tuyệt vời ạ. Khi hệ thống ghi nhận hàng trả, tôi sẽ đóng yêu cầu đổi trả bên tôi; "
        "‹anh|chị› không cần làm gì thêm.",
        "note": "Lỗi lấy hàng tại kho; đã báo bộ phận kho vận.",
    },
    "return_request": {
        "subjects": ("Làm thế nào để trả lại {device}?", "Đổi trả trong 30 ngày"),
        "opening": "Tôi mua {device} vào {date} nhưng không phù hợp với hệ thống ở nhà. Sản phẩm chưa "
        "sử dụng, còn nguyên hộp. Tôi trả lại bằng cách nào?",
        "reply": "Không vấn đề gì ạ, ‹anh|chị› vẫn trong thời hạn đổi trả 30 ngày. Tôi đã gửi nhãn gửi "
        "trả trả trước qua email; ‹anh|chị› chỉ cần in ra, dán lên hộp và mang đến bưu cục bất kỳ. "
        "Tiền sẽ được hoàn ngay khi kiện hàng về đến kho.",
        "followup": "Hôm nay tôi đã gửi hàng đi rồi. Cảm ơn bạn đã hỗ trợ nhanh gọn.",
        "closing": "Cảm ơn ‹anh|chị›! Tôi sẽ theo dõi kiện hàng trả, khoản hoàn {amount} sẽ được xử lý "
        "tự động khi hàng về kho.",
        "note": "Đã tạo mã RMA và nhãn gửi trả.",
    },
    "change_shipping_address": {
        "subjects": ("Đổi địa chỉ giao hàng cho đơn {order}", "Sai địa chỉ giao hàng"),
        "opening": "Tôi vừa phát hiện mình ghi địa chỉ cũ cho đơn {order}. Bạn đổi giúp tôi sang địa "
        "chỉ mới trước khi gửi hàng được không? Địa chỉ mới ở phần chữ ký.",
        "reply": "May quá, đơn hàng vẫn chưa rời kho. Tôi đã cập nhật địa chỉ giao hàng và đơn sẽ được "
        "gửi đi vào ngày mai. ‹Anh|Chị› sẽ nhận được link theo dõi qua email.",
        "followup": "Cảm ơn bạn rất nhiều, đỡ cho tôi bao nhiêu rắc rối.",
        "closing": "Dạ không có gì ạ. Mọi thứ đã sẵn sàng để giao đến địa chỉ mới. Chúc ‹anh|chị› một "
        "ngày tốt lành!",
        "note": "Đổi địa chỉ trước khi lấy hàng; đã báo kho.",
    },
    "broken_device": {
        "subjects": ("{device} ngừng hoạt động", "{device} không lên nguồn nữa"),
        "opening": "{device} của tôi ngừng hoạt động từ hôm qua. Đèn nhấp nháy đỏ ba lần rồi tắt. Tôi "
        "đã thử bộ nguồn khác và khôi phục cài đặt gốc nhưng không được. Tôi mua máy vào {date}.",
        "reply": "Cảm ơn ‹anh|chị› đã thử các bước kiểm tra; đèn đỏ nháy ba lần nghĩa là bo mạch nguồn "
        "bị hỏng. Thiết bị của ‹anh|chị› vẫn còn bảo hành nên chúng tôi sẽ sửa hoặc thay mới miễn phí. "
        "Tôi đã đặt bo mạch thay thế từ trung tâm sửa chữa và sẽ báo ‹anh|chị› ngay khi có hàng.",
        "followup": "Cảm ơn bạn. Việc sửa chữa có tin gì chưa? Tôi đang rất cần {device}.",
        "closing": "Tin vui ạ: linh kiện đã về và {device} của ‹anh|chị› đã được sửa xong, gửi đi hôm "
        "nay với mã vận đơn {tracking}. Khi đăng nhập lại, các cài đặt sẽ được khôi phục từ đám mây.",
        "note": "Đang chờ bo mạch nguồn từ trung tâm sửa chữa.",
    },
    "app_crash": {
        "subjects": ("Ứng dụng bị văng sau bản cập nhật mới", "Ứng dụng Brightleaf tự tắt ngay khi mở"),
        "opening": "Từ hôm qua, sau khi cập nhật, cứ mở ứng dụng ra là bị văng. Tôi đã khởi động lại "
        "điện thoại và cài lại ứng dụng nhưng vẫn bị tắt ngay sau màn hình chờ.",
        "reply": "Cảm ơn ‹anh|chị› đã báo lỗi. Chúng tôi đã nhận được nhiều phản ánh về lỗi này trên các "
        "điện thoại vừa cập nhật hệ điều hành, và đội kỹ thuật đang khẩn trương khắc phục. Trong lúc "
        "chờ, ‹anh|chị› có thể đăng nhập trang điều khiển trên web để điều khiển thiết bị. Tôi sẽ báo "
        "ngay khi có bản sửa lỗi.",
        "followup": "Được, tạm thời tôi dùng bản web. Khi nào có bản sửa thì báo tôi nhé.",
        "closing": "Phiên bản 4.12.1 đã có trên kho ứng dụng. ‹Anh|Chị› cập nhật ứng dụng là có thể mở "
        "lại bình thường. Cảm ơn ‹anh|chị› đã kiên nhẫn và mô tả lỗi rất chi tiết.",
        "note": "Lỗi đã biết, đã liên kết với lỗi khởi động bên bộ phận kỹ thuật.",
    },
    "device_pairing": {
        "subjects": ("{device} không kết nối được với ứng dụng", "Không thêm được {device} vào nhà"),
        "opening": "Tôi đang thêm {device} mới vào ứng dụng nhưng lần nào cũng thất bại ở 80% với thông "
        'báo "không tìm thấy thiết bị". Các thiết bị khác của tôi vẫn hoạt động bình thường.',
        "reply": "Mình cùng kết nối lại nhé. ‹Anh|Chị› kiểm tra giúp điện thoại đang dùng mạng Wi-Fi "
        "2,4 GHz (thiết bị không kết nối được mạng 5 GHz), để điện thoại cách thiết bị không quá 2 mét, "
        "rồi giữ nút trong mười giây đến khi đèn nháy xanh dương trước khi ghép nối lại.",
        "followup": "Chuyển điện thoại sang mạng 2,4 GHz là được ngay. {device} đã hiện trong ứng dụng rồi.",
        "closing": "Tuyệt vời! Nhiều bộ định tuyến đặt cùng một tên cho cả hai mạng nên rất dễ nhầm. "
        "Chúc ‹anh|chị› dùng thiết bị mới vui vẻ.",
        "note": "Lỗi 5 GHz quen thuộc; đã gửi bài hướng dẫn ghép nối.",
    },
    "api_error": {
        "subjects": ("API trả về lỗi 500 ở /v2/devices", "API thỉnh thoảng trả về lỗi 500"),
        "opening": "Từ khoảng 09:00 UTC hôm nay, cứ khoảng năm yêu cầu từ hệ thống của chúng tôi đến "
        "endpoint devices thì có một yêu cầu bị lỗi HTTP 500. Phía chúng tôi không thay đổi gì. Lỗi này "
        "đang ảnh hưởng đến bảng điều khiển của khách hàng chúng tôi.",
        "reply": "Cảm ơn ‹anh|chị› đã báo lỗi kèm thời điểm cụ thể. Chúng tôi xác nhận tỷ lệ lỗi tăng "
        "cao ở một máy chủ API và đã tạm ngắt máy đó khỏi hệ thống. Tỷ lệ lỗi hiện đã trở lại bình "
        "thường; ‹anh|chị› kiểm tra giúp từ phía mình được không?",
        "followup": "Xác nhận là trong một giờ qua không còn lỗi. Bạn cho biết nguyên nhân được không?",
        "closing": "Một thay đổi cấu hình trên máy chủ API đó đã làm cạn kết nối đến cơ sở dữ liệu. "
        "Chúng tôi đã hoàn tác thay đổi và thêm cảnh báo cho trường hợp này. Xin lỗi ‹anh|chị› vì sự "
        "gián đoạn; báo cáo tóm tắt cũng sẽ được đăng trên trang trạng thái.",
        "note": "Trùng thời điểm với sự cố máy chủ API sáng nay.",
    },
    "webhook_failing": {
        "subjects": ("Không nhận được webhook nữa", "Gửi webhook thất bại do hết thời gian chờ"),
        "opening": "Endpoint của chúng tôi không nhận được sự kiện webhook nào kể từ {date}. Trong "
        "trang dành cho nhà phát triển, các lần gửi đều báo thất bại do hết thời gian chờ. Máy chủ của "
        "chúng tôi vẫn chạy và truy cập được bình thường.",
        "reply": "Tôi đã xem nhật ký gửi cho endpoint của ‹anh|chị›: yêu cầu của chúng tôi hết thời gian "
        "sau 10 giây chờ phản hồi. Endpoint cần trả về mã 2xx trong khoảng thời gian đó; nếu xử lý lâu "
        "hơn, ‹anh|chị› nên phản hồi trước rồi xử lý sự kiện ở chế độ nền. Các sự kiện thất bại sẽ "
        "được gửi lại trong 72 giờ.",
        "followup": "Chúng tôi đã chuyển phần xử lý sang tác vụ nền và webhook đã nhận lại bình thường. "
        "Các sự kiện bị lỡ có được gửi lại không?",
        "closing": "Có ạ: tôi đã kích hoạt gửi lại toàn bộ sự kiện thất bại từ {date}, chúng đang đến "
        "endpoint của ‹anh|chị›. Phía chúng tôi mọi thứ đều ổn định.",
        "note": "Thời gian phản hồi p95 của endpoint khoảng 14 giây; đã khuyên xử lý bất đồng bộ.",
    },
    "product_compatibility": {
        "subjects": (
            "{device} có dùng được với bóng đèn Zigbee của tôi không?",
            "Hỏi về khả năng tương thích trước khi mua",
        ),
        "opening": "Tôi đang định mua {device}. Nó có dùng được với mấy bóng đèn thông minh Zigbee tôi "
        "đang có không? Đèn của hãng khác, mua khoảng ba năm trước.",
        "reply": "Câu hỏi rất hay ạ! {device} tương thích với hầu hết bóng đèn chuẩn Zigbee 3.0, kể cả "
        "của các hãng lớn. Nếu ‹anh|chị› cho tôi biết hãng và mẫu đèn, tôi sẽ đối chiếu với danh sách "
        "tương thích của chúng tôi.",
        "followup": "Trên hộp ghi là Zigbee 3.0. Vậy chắc là dùng được rồi.",
        "closing": "Đúng vậy ạ, bóng đèn Zigbee 3.0 được hỗ trợ đầy đủ; ‹anh|chị› có thể thêm chúng "
        "trong ứng dụng tại mục Thêm thiết bị > Hãng khác. Nếu đặt hàng trong tuần này, ‹anh|chị› còn "
        "được miễn phí vận chuyển.",
        "note": "Khách hỏi trước khi mua; có khả năng sẽ đặt hàng.",
    },
    "feature_request": {
        "subjects": ("Đề xuất tính năng: chế độ đi vắng", "Có thể thêm chế độ đi vắng không?"),
        "opening": "Tôi rất thích ứng dụng, nhưng còn thiếu chế độ đi vắng, tự bật tắt đèn vào những "
        "thời điểm ngẫu nhiên khi tôi không có nhà. Bên bạn có dự định làm tính năng này không?",
        "reply": "Cảm ơn ‹anh|chị› đã góp ý! Hiện chưa có chế độ đi vắng, nhưng ‹anh|chị› có thể làm "
        "gần giống bằng hai lịch hẹn giờ bật tắt ổ cắm vào các thời điểm khác nhau mỗi ngày. Tôi đã "
        "chuyển ý tưởng của ‹anh|chị› cho đội sản phẩm; đây là một trong những tính năng được yêu cầu "
        "nhiều nhất.",
        "followup": "Cảm ơn bạn, trước mắt tôi sẽ cài lịch hẹn giờ. Khi nào có tính năng này thì báo "
        "tôi nhé.",
        "closing": "Chắc chắn rồi ạ. Tôi đã gắn yêu cầu của ‹anh|chị› vào tính năng này nên ‹anh|chị› sẽ "
        "nhận được thông báo khi nó ra mắt. Cảm ơn ‹anh|chị› đã giúp Brightleaf ngày càng tốt hơn!",
        "note": "Đã thêm một lượt bình chọn cho tính năng chế độ đi vắng.",
    },
}


def format_date(day: date, *, year: bool = False) -> str:
    return f"ngày {day.day}/{day.month}/{day.year}" if year else f"ngày {day.day}/{day.month}"


def format_amount(usd: float) -> str:
    dong = round(usd * 25_000, -4)
    return f"{dong:,.0f}".replace(",", ".") + " ₫"
