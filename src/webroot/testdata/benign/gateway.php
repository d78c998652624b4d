<?php
class WC_Gateway_Example extends WC_Payment_Gateway
{
    public function process_payment($order_id)
    {
        $order = wc_get_order($order_id);
        $body = array('number' => sanitize_text_field($_POST['example-card-number']), 'cvc' => sanitize_text_field($_POST['example-card-cvc']));
        $response = wp_remote_post('https://api.gateway.example/v1/charges', array('body' => json_encode($body)));
        if (is_wp_error($response)) { error_log('Gateway error for order ' . $order_id); return array('result' => 'fail'); }
        return array('result' => 'success', 'redirect' => $this->get_return_url($order));
    }
}
